"""Queries on books: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import book as book_models
from app.models.base import table_of
from app.repositories.base import (
    EQ,
    Filter,
    Page,
    Row,
    bound_filters,
    exists,
    fetch_one,
    filter_params,
    live_count,
    next_version,
    order_by,
    unchanged_since,
    utcnow,
)

books = table_of(book_models.Book)

# What a book looks like in responses.
COLUMNS = (
    books.c.id,
    books.c.title,
    books.c.isbn,
    books.c.genre,
    books.c.pages,
    books.c.price,
    books.c.available,
    books.c.metadata.label("metadata"),
    books.c.author_id,
    books.c.created_at,
    books.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "title": books.c.title,
    "pages": books.c.pages,
    "price": books.c.price,
    "created_at": books.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "genre": (books.c.genre, EQ),
    "available": (books.c.available, EQ),
    "author_id": (books.c.author_id, EQ),
}


# Every live row is in the list when it has no filter: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(books)


def visible() -> list[ColumnElement[bool]]:
    """The rows in reach: all of them."""
    return []


def _where(filters: tuple[str, ...]) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given."""
    return [*visible(), *bound_filters(FILTERS, filters)]


def _params(filters: dict[str, Any]) -> dict[str, Any]:
    """The values a list's statement binds."""
    return filter_params(filters)


@lru_cache(maxsize=256)
def _page(filters: tuple[str, ...], sort: str) -> Page:
    """The list query of one shape (the filters given, the sort), built once."""
    where = _where(filters)
    order = order_by(SORTS, sort, books.c.id)
    total = LIVE if not filters else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_books(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
) -> tuple[list[Row], int]:
    """One page of books and the total."""
    params = _params(filters)
    shape = _page(tuple(sorted(filters)), sort)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(books.c.id == bindparam("id"), *visible())
_INSERT = insert(books).returning(*COLUMNS)


async def get_book(db: AsyncConnection, book_id: uuid.UUID) -> Row | None:
    """One book, if it is in reach."""
    return await fetch_one(db, _GET, {"id": book_id})


async def books_by_id(db: AsyncConnection, ids: Sequence[uuid.UUID]) -> list[Row]:
    """The books of ``ids`` in reach, in one statement."""
    statement = select(*COLUMNS).where(books.c.id.in_(ids), *visible())
    return [dict(row) for row in (await db.execute(statement)).mappings()]


async def book_exists(db: AsyncConnection, book_id: uuid.UUID) -> bool:
    """Whether the book exists and is in reach."""
    statement = select(books.c.id).where(books.c.id == book_id, *visible())
    return await exists(db, statement)


async def insert_book(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a book from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_book(
    db: AsyncConnection,
    book_id: uuid.UUID,
    values: dict[str, Any],
    *,
    seen: datetime | None = None,
) -> Row | None:
    """Change a book in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(books)
        .where(
            books.c.id == book_id,
            *visible(),
            *unchanged_since(books.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_book(
    db: AsyncConnection,
    book_id: uuid.UUID,
    *,
    seen: datetime | None = None,
) -> bool:
    """Delete a book in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(books)
        .where(
            books.c.id == book_id,
            *visible(),
            *unchanged_since(books.c.updated_at, seen),
        )
        .returning(books.c.id)
    )
    return await fetch_one(db, statement) is not None
