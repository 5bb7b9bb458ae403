"""What clients may send about books: bodies and list parameters."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
    StoredJson,
)

TitleType = Annotated[str, Field(max_length=300), Storable]
IsbnType = Annotated[str, Field(max_length=255, pattern=r"^[0-9]{13}$"), Storable]
GenreType = Literal["fiction", "science", "history", "poetry"]
PagesType = Annotated[int, Field(ge=1, le=10000)]
PriceType = Annotated[
    Decimal,
    Field(
        ge=Decimal("0"),
        le=Decimal("99999999.99"),
        max_digits=10,
        decimal_places=2,
        json_schema_extra={"multipleOf": 0.01},
    ),
]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["title", "-title", "pages", "-pages", "price", "-price", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "TITLE_ASC",
                "TITLE_DESC",
                "PAGES_ASC",
                "PAGES_DESC",
                "PRICE_ASC",
                "PRICE_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class BookCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a book."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    title: TitleType
    isbn: IsbnType
    genre: GenreType = "fiction"
    pages: PagesType | None = None
    price: PriceType | None = None
    available: bool = True
    metadata_: Annotated[StoredJson | None, Field(alias="metadata")] = None
    author_id: uuid.UUID


class BookUpdate(BaseModel):
    """The body to change some fields of a book (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    title: Annotated[TitleType | None, NotNull] = None
    isbn: Annotated[IsbnType | None, NotNull] = None
    genre: Annotated[GenreType | None, NotNull] = None
    pages: PagesType | None = None
    price: PriceType | None = None
    available: Annotated[bool | None, NotNull] = None
    metadata_: Annotated[StoredJson | None, Field(alias="metadata")] = None
    author_id: Annotated[uuid.UUID | None, NotNull] = None


class BookQuery(PageParams):
    """Paging, sort and filters of the book list."""

    sort: SortKey = "-created_at"
    genre: Annotated[GenreType | None, Field(description="Only rows whose genre equals this.")] = (
        None
    )
    available: Annotated[
        bool | None, Field(description="Only rows whose available equals this.")
    ] = None
    author_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose author_id equals this.")
    ] = None
