"""What clients may send about events: bodies and list parameters."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

TitleType = Annotated[str, Field(min_length=3, max_length=200), Storable]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["title", "-title", "date", "-date", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "TITLE_ASC",
                "TITLE_DESC",
                "DATE_ASC",
                "DATE_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class EventCreate(BaseModel):
    """The body to create (POST) or replace (PUT) an event."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    title: TitleType
    date_: Annotated[date, Field(alias="date")]
    published: bool = False
    venue_id: uuid.UUID


class EventUpdate(BaseModel):
    """The body to change some fields of an event (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    title: Annotated[TitleType | None, NotNull] = None
    date_: Annotated[Annotated[date | None, NotNull], Field(alias="date")] = None
    published: Annotated[bool | None, NotNull] = None
    venue_id: Annotated[uuid.UUID | None, NotNull] = None


class EventQuery(PageParams):
    """Paging, sort and filters of the event list."""

    sort: SortKey = "-created_at"
    date_: Annotated[
        date | None, Field(alias="date", description="Only rows whose date equals this.")
    ] = None
    date_min: Annotated[
        date | None, Field(description="Only rows whose date is at least this.")
    ] = None
    date_max: Annotated[date | None, Field(description="Only rows whose date is at most this.")] = (
        None
    )
    published: Annotated[
        bool | None, Field(description="Only rows whose published equals this.")
    ] = None
    venue_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose venue_id equals this.")
    ] = None
