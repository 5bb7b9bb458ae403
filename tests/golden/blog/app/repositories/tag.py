"""Queries on tags: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import tag as tag_models
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

tags = table_of(tag_models.Tag)

# What a tag looks like in responses.
COLUMNS = (
    tags.c.id,
    tags.c.name,
    tags.c.created_at,
    tags.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "name": tags.c.name,
    "created_at": tags.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "name": (tags.c.name, EQ),
}


# Every live row is in the list when it has no filter: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(tags)


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
    order = order_by(SORTS, sort, tags.c.id)
    total = LIVE if not filters else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_tags(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
) -> tuple[list[Row], int]:
    """One page of tags and the total."""
    params = _params(filters)
    shape = _page(tuple(sorted(filters)), sort)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(tags.c.id == bindparam("id"), *visible())
_INSERT = insert(tags).returning(*COLUMNS)


async def get_tag(db: AsyncConnection, tag_id: uuid.UUID) -> Row | None:
    """One tag, if it is in reach."""
    return await fetch_one(db, _GET, {"id": tag_id})


async def tags_by_id(db: AsyncConnection, ids: Sequence[uuid.UUID]) -> list[Row]:
    """The tags of ``ids`` in reach, in one statement."""
    statement = select(*COLUMNS).where(tags.c.id.in_(ids), *visible())
    return [dict(row) for row in (await db.execute(statement)).mappings()]


async def tag_exists(db: AsyncConnection, tag_id: uuid.UUID) -> bool:
    """Whether the tag exists and is in reach."""
    statement = select(tags.c.id).where(tags.c.id == tag_id, *visible())
    return await exists(db, statement)


async def insert_tag(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a tag from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_tag(
    db: AsyncConnection,
    tag_id: uuid.UUID,
    values: dict[str, Any],
    *,
    seen: datetime | None = None,
) -> Row | None:
    """Change a tag in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(tags)
        .where(
            tags.c.id == tag_id,
            *visible(),
            *unchanged_since(tags.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_tag(
    db: AsyncConnection,
    tag_id: uuid.UUID,
    *,
    seen: datetime | None = None,
) -> bool:
    """Delete a tag in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(tags)
        .where(
            tags.c.id == tag_id,
            *visible(),
            *unchanged_since(tags.c.updated_at, seen),
        )
        .returning(tags.c.id)
    )
    return await fetch_one(db, statement) is not None
