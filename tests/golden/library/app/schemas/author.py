"""What clients may send about authors: bodies and list parameters."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    URL_FORMAT,
    URL_PATTERN,
    NotNull,
    Storable,
)

NameType = Annotated[str, Field(max_length=120), Storable]
WebsiteType = Annotated[
    str, Field(max_length=2048, pattern=URL_PATTERN, json_schema_extra=URL_FORMAT), Storable
]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["name", "-name", "born_on", "-born_on", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "NAME_ASC",
                "NAME_DESC",
                "BORN_ON_ASC",
                "BORN_ON_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class AuthorCreate(BaseModel):
    """The body to create (POST) or replace (PUT) an author."""

    model_config = ConfigDict(extra="forbid")

    name: NameType
    born_on: date | None = None
    website: WebsiteType | None = None


class AuthorUpdate(BaseModel):
    """The body to change some fields of an author (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[NameType | None, NotNull] = None
    born_on: date | None = None
    website: WebsiteType | None = None


class AuthorQuery(PageParams):
    """Paging, sort and filters of the author list."""

    sort: SortKey = "-created_at"
    name: Annotated[NameType | None, Field(description="Only rows whose name equals this.")] = None
