"""What clients may send about venues: bodies and list parameters."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    URL_FORMAT,
    URL_PATTERN,
    NotNull,
    Storable,
)

NameType = Annotated[str, Field(max_length=150), Storable]
CityType = Annotated[str, Field(max_length=80), Storable]
CapacityType = Annotated[int, Field(ge=1, le=100000)]
WebsiteType = Annotated[
    str, Field(max_length=2048, pattern=URL_PATTERN, json_schema_extra=URL_FORMAT), Storable
]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["name", "-name", "capacity", "-capacity", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "NAME_ASC",
                "NAME_DESC",
                "CAPACITY_ASC",
                "CAPACITY_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class VenueCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a venue."""

    model_config = ConfigDict(extra="forbid")

    name: NameType
    city: CityType
    capacity: CapacityType
    website: WebsiteType | None = None


class VenueUpdate(BaseModel):
    """The body to change some fields of a venue (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[NameType | None, NotNull] = None
    city: Annotated[CityType | None, NotNull] = None
    capacity: Annotated[CapacityType | None, NotNull] = None
    website: WebsiteType | None = None


class VenueQuery(PageParams):
    """Paging, sort and filters of the venue list."""

    sort: SortKey = "-created_at"
    city: Annotated[CityType | None, Field(description="Only rows whose city equals this.")] = None
