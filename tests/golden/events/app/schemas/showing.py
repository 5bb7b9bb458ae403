"""What clients may send about showings: bodies and list parameters."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
    UTCDateTime,
)

TitleType = Annotated[str, Field(max_length=200), Storable]
MinutesType = Annotated[int, Field(ge=5, le=600)]
RoomType = Annotated[str, Field(max_length=40), Storable]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["starts_at", "-starts_at", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "STARTS_AT_ASC",
                "STARTS_AT_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class ShowingNestedCreate(BaseModel):
    """The body to create a showing under its event (the path names the event)."""

    model_config = ConfigDict(extra="forbid")

    title: TitleType
    starts_at: UTCDateTime
    minutes: MinutesType = 45
    room: RoomType | None = None


class ShowingCreate(ShowingNestedCreate):
    """The body to create (POST) or replace (PUT) a showing."""

    event_id: uuid.UUID


class ShowingUpdate(BaseModel):
    """The body to change some fields of a showing (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[TitleType | None, NotNull] = None
    starts_at: Annotated[UTCDateTime | None, NotNull] = None
    minutes: Annotated[MinutesType | None, NotNull] = None
    room: RoomType | None = None
    event_id: Annotated[uuid.UUID | None, NotNull] = None


class ShowingNestedQuery(PageParams):
    """Paging, sort and filters of the showings of one event."""

    sort: SortKey = "-created_at"
    starts_at: Annotated[
        UTCDateTime | None, Field(description="Only rows whose starts_at equals this.")
    ] = None
    starts_at_min: Annotated[
        UTCDateTime | None, Field(description="Only rows whose starts_at is at least this.")
    ] = None
    starts_at_max: Annotated[
        UTCDateTime | None, Field(description="Only rows whose starts_at is at most this.")
    ] = None


class ShowingQuery(ShowingNestedQuery):
    """Paging, sort and filters of the showing list."""

    event_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose event_id equals this.")
    ] = None
