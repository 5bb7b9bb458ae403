"""What clients may send about replies: bodies and list parameters."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

BodyType = Annotated[str, Field(min_length=1, max_length=10000), Storable]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={"x-enum-varnames": ["CREATED_AT_ASC", "CREATED_AT_DESC"]},
    ),
]


class ReplyNestedCreate(BaseModel):
    """The body to create a reply under its ticket (the path names the ticket)."""

    model_config = ConfigDict(extra="forbid")

    body: BodyType
    internal: bool = False


class ReplyCreate(ReplyNestedCreate):
    """The body to create (POST) or replace (PUT) a reply."""

    ticket_id: uuid.UUID


class ReplyUpdate(BaseModel):
    """The body to change some fields of a reply (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    body: Annotated[BodyType | None, NotNull] = None
    internal: Annotated[bool | None, NotNull] = None
    ticket_id: Annotated[uuid.UUID | None, NotNull] = None


class ReplyNestedQuery(PageParams):
    """Paging, sort and filters of the replies of one ticket."""

    sort: SortKey = "-created_at"
    internal: Annotated[bool | None, Field(description="Only rows whose internal equals this.")] = (
        None
    )


class ReplyQuery(ReplyNestedQuery):
    """Paging, sort and filters of the reply list."""

    ticket_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose ticket_id equals this.")
    ] = None
