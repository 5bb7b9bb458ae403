"""What clients may send about bookmarks: bodies and list parameters."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

NoteType = Annotated[str, Field(max_length=200), Storable]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={"x-enum-varnames": ["CREATED_AT_ASC", "CREATED_AT_DESC"]},
    ),
]


class BookmarkCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a bookmark."""

    model_config = ConfigDict(extra="forbid")

    note: NoteType | None = None
    post_id: uuid.UUID


class BookmarkUpdate(BaseModel):
    """The body to change some fields of a bookmark (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    note: NoteType | None = None
    post_id: Annotated[uuid.UUID | None, NotNull] = None


class BookmarkQuery(PageParams):
    """Paging, sort and filters of the bookmark list."""

    sort: SortKey = "-created_at"
    post_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose post_id equals this.")
    ] = None
