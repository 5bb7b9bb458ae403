"""What clients may send about books: bodies and list parameters."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import NotNull, StoredJson, Text

Title = Annotated[Text, Field(max_length=300)]
Isbn = Annotated[Text, Field(max_length=255, pattern=r"^[0-9]{13}$")]
Genre = Literal["fiction", "science", "history", "poetry"]
Pages = Annotated[int, Field(ge=1, le=10000)]
Price = Annotated[Decimal, Field(ge=Decimal("0"), max_digits=10, decimal_places=2)]
SortKey = Literal[
    "title", "-title", "pages", "-pages", "price", "-price", "created_at", "-created_at"
]


class BookCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a book."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    title: Title
    isbn: Isbn
    genre: Genre = "fiction"
    pages: Pages | None = None
    price: Price | None = None
    available: bool = True
    metadata_: Annotated[StoredJson | None, Field(alias="metadata")] = None
    author_id: uuid.UUID


class BookUpdate(BaseModel):
    """The body to change some fields of a book (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    title: Annotated[Title | None, NotNull] = None
    isbn: Annotated[Isbn | None, NotNull] = None
    genre: Annotated[Genre | None, NotNull] = None
    pages: Pages | None = None
    price: Price | None = None
    available: Annotated[bool | None, NotNull] = None
    metadata_: Annotated[StoredJson | None, Field(alias="metadata")] = None
    author_id: Annotated[uuid.UUID | None, NotNull] = None


class BookQuery(PageParams):
    """Paging, sort and filters of the book list."""

    sort: SortKey = "-created_at"
    genre: Genre | None = None
    available: bool | None = None
    author_id: uuid.UUID | None = None
