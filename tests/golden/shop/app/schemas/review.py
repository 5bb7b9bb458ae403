"""What clients may send about reviews: bodies and list parameters."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import CursorParams
from app.schemas.types import (
    NotNull,
    Storable,
    Text,
)

RatingType = Annotated[int, Field(ge=1, le=5)]
TitleType = Annotated[str, Field(max_length=120), Storable]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["rating", "-rating", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": ["RATING_ASC", "RATING_DESC", "CREATED_AT_ASC", "CREATED_AT_DESC"]
        },
    ),
]


class ReviewCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a review."""

    model_config = ConfigDict(extra="forbid")

    rating: RatingType
    title: TitleType
    body: Text | None = None
    product_id: uuid.UUID


class ReviewUpdate(BaseModel):
    """The body to change some fields of a review (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    rating: Annotated[RatingType | None, NotNull] = None
    title: Annotated[TitleType | None, NotNull] = None
    body: Text | None = None
    product_id: Annotated[uuid.UUID | None, NotNull] = None


class ReviewQuery(CursorParams):
    """Paging, sort and filters of the review list."""

    sort: SortKey = "-created_at"
    rating: Annotated[
        RatingType | None, Field(description="Only rows whose rating equals this.")
    ] = None
    rating_min: Annotated[
        RatingType | None, Field(description="Only rows whose rating is at least this.")
    ] = None
    rating_max: Annotated[
        RatingType | None, Field(description="Only rows whose rating is at most this.")
    ] = None
    product_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose product_id equals this.")
    ] = None
