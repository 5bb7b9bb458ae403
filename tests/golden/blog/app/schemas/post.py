"""What clients may send about posts: bodies and list parameters."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
    UTCDateTime,
)

TitleType = Annotated[str, Field(min_length=1, max_length=200), Storable]
BodyType = Annotated[str, Field(max_length=20000), Storable]
StatusType = Literal["draft", "published"]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["title", "-title", "published_at", "-published_at", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "TITLE_ASC",
                "TITLE_DESC",
                "PUBLISHED_AT_ASC",
                "PUBLISHED_AT_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class PostCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a post."""

    model_config = ConfigDict(extra="forbid")

    title: TitleType
    body: BodyType | None = None
    status: StatusType = "draft"
    published_at: UTCDateTime | None = None


class PostUpdate(BaseModel):
    """The body to change some fields of a post (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[TitleType | None, NotNull] = None
    body: BodyType | None = None
    status: Annotated[StatusType | None, NotNull] = None
    published_at: UTCDateTime | None = None


class PostQuery(PageParams):
    """Paging, sort and filters of the post list."""

    sort: SortKey = "-created_at"
    status: Annotated[
        StatusType | None, Field(description="Only rows whose status equals this.")
    ] = None
    published_at: Annotated[
        UTCDateTime | None, Field(description="Only rows whose published_at equals this.")
    ] = None
    published_at_min: Annotated[
        UTCDateTime | None, Field(description="Only rows whose published_at is at least this.")
    ] = None
    published_at_max: Annotated[
        UTCDateTime | None, Field(description="Only rows whose published_at is at most this.")
    ] = None
