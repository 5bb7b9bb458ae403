"""Queries on bookmarks: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import bookmark as bookmark_models
from app.models import post as post_models
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
    next_version,
    order_by,
    unchanged_since,
    utcnow,
)

bookmarks = table_of(bookmark_models.Bookmark)

# What a bookmark looks like in responses.
COLUMNS = (
    bookmarks.c.id,
    bookmarks.c.note,
    bookmarks.c.post_id,
    bookmarks.c.owner_id,
    bookmarks.c.created_at,
    bookmarks.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "created_at": bookmarks.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "post_id": (bookmarks.c.post_id, EQ),
}


def visible(owner_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    """The rows in reach: of live parents, and owned by ``owner_id`` when one is given."""
    clauses: list[ColumnElement[bool]] = []
    clauses.append(
        bookmarks.c.post_id.in_(
            select(table_of(post_models.Post).c.id).where(
                table_of(post_models.Post).c.deleted_at.is_(None)
            )
        )
    )
    if owner_id is not None:
        clauses.append(bookmarks.c.owner_id == owner_id)
    return clauses


def _where(filters: tuple[str, ...], owned: bool) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given, in the owner scope."""
    where = [*visible(), *bound_filters(FILTERS, filters)]
    if owned:
        where.append(bookmarks.c.owner_id == bindparam("owner_id"))
    return where


def _params(filters: dict[str, Any], owner_id: uuid.UUID | None) -> dict[str, Any]:
    """The values a list's statement binds."""
    params = filter_params(filters)
    if owner_id is not None:
        params["owner_id"] = owner_id
    return params


@lru_cache(maxsize=256)
def _page(filters: tuple[str, ...], sort: str, owned: bool) -> Page:
    """The list query of one shape (the filters given, the sort, the owner scope), built once."""
    where = _where(filters, owned)
    order = order_by(SORTS, sort, bookmarks.c.id)
    return Page.of(select(*COLUMNS).where(*where), order)


async def list_bookmarks(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
    owner_id: uuid.UUID | None = None,
) -> tuple[list[Row], int]:
    """One page of bookmarks and the total."""
    params = _params(filters, owner_id)
    shape = _page(tuple(sorted(filters)), sort, owner_id is not None)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(bookmarks.c.id == bindparam("id"), *visible())
_INSERT = insert(bookmarks).returning(*COLUMNS)
_GET_OWNED = select(*COLUMNS).where(
    bookmarks.c.id == bindparam("id"), *visible(), bookmarks.c.owner_id == bindparam("owner_id")
)


async def get_bookmark(
    db: AsyncConnection, bookmark_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> Row | None:
    """One bookmark, if it is in reach."""
    if owner_id is not None:
        return await fetch_one(db, _GET_OWNED, {"id": bookmark_id, "owner_id": owner_id})
    return await fetch_one(db, _GET, {"id": bookmark_id})


async def bookmarks_by_id(
    db: AsyncConnection, ids: Sequence[uuid.UUID], *, owner_id: uuid.UUID | None = None
) -> list[Row]:
    """The bookmarks of ``ids`` in reach, in one statement."""
    statement = select(*COLUMNS).where(bookmarks.c.id.in_(ids), *visible(owner_id))
    return [dict(row) for row in (await db.execute(statement)).mappings()]


async def bookmark_exists(
    db: AsyncConnection, bookmark_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> bool:
    """Whether the bookmark exists and is in reach."""
    statement = select(bookmarks.c.id).where(bookmarks.c.id == bookmark_id, *visible(owner_id))
    return await exists(db, statement)


async def insert_bookmark(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a bookmark from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_bookmark(
    db: AsyncConnection,
    bookmark_id: uuid.UUID,
    values: dict[str, Any],
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> Row | None:
    """Change a bookmark in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(bookmarks)
        .where(
            bookmarks.c.id == bookmark_id,
            *visible(owner_id),
            *unchanged_since(bookmarks.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_bookmark(
    db: AsyncConnection,
    bookmark_id: uuid.UUID,
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> bool:
    """Delete a bookmark in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(bookmarks)
        .where(
            bookmarks.c.id == bookmark_id,
            *visible(owner_id),
            *unchanged_since(bookmarks.c.updated_at, seen),
        )
        .returning(bookmarks.c.id)
    )
    return await fetch_one(db, statement) is not None
