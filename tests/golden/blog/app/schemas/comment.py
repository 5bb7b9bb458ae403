"""What clients may send about comments: bodies and list parameters."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

BodyType = Annotated[str, Field(min_length=1, max_length=5000), Storable]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={"x-enum-varnames": ["CREATED_AT_ASC", "CREATED_AT_DESC"]},
    ),
]


class CommentNestedCreate(BaseModel):
    """The body to create a comment under its post (the path names the post)."""

    model_config = ConfigDict(extra="forbid")

    body: BodyType


class CommentCreate(CommentNestedCreate):
    """The body to create (POST) or replace (PUT) a comment."""

    post_id: uuid.UUID


class CommentUpdate(BaseModel):
    """The body to change some fields of a comment (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    body: Annotated[BodyType | None, NotNull] = None
    post_id: Annotated[uuid.UUID | None, NotNull] = None


class CommentNestedQuery(PageParams):
    """Paging, sort and filters of the comments of one post."""

    sort: SortKey = "-created_at"


class CommentQuery(CommentNestedQuery):
    """Paging, sort and filters of the comment list."""

    post_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose post_id equals this.")
    ] = None
