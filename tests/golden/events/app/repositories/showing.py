"""Queries on showings: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import event as event_models
from app.models import showing as showing_models
from app.models.base import table_of
from app.repositories.base import (
    EQ,
    GE,
    LE,
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

showings = table_of(showing_models.Showing)

# What a showing looks like in responses.
COLUMNS = (
    showings.c.id,
    showings.c.title,
    showings.c.starts_at,
    showings.c.minutes,
    showings.c.room,
    showings.c.event_id,
    showings.c.created_at,
    showings.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "starts_at": showings.c.starts_at,
    "created_at": showings.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "starts_at": (showings.c.starts_at, EQ),
    "starts_at_min": (showings.c.starts_at, GE),
    "starts_at_max": (showings.c.starts_at, LE),
    "event_id": (showings.c.event_id, EQ),
}


def visible() -> list[ColumnElement[bool]]:
    """The rows in reach: of parents in reach (a soft delete hides the children)."""
    return [
        showings.c.event_id.in_(
            select(table_of(event_models.Event).c.id).where(
                table_of(event_models.Event).c.deleted_at.is_(None)
            )
        ),
    ]


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
    order = order_by(SORTS, sort, showings.c.id)
    return Page.of(select(*COLUMNS).where(*where), order)


async def list_showings(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
) -> tuple[list[Row], int]:
    """One page of showings and the total."""
    params = _params(filters)
    shape = _page(tuple(sorted(filters)), sort)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(showings.c.id == bindparam("id"), *visible())
_INSERT = insert(showings).returning(*COLUMNS)


async def get_showing(db: AsyncConnection, showing_id: uuid.UUID) -> Row | None:
    """One showing, if it is in reach."""
    return await fetch_one(db, _GET, {"id": showing_id})


async def showing_exists(db: AsyncConnection, showing_id: uuid.UUID) -> bool:
    """Whether the showing exists and is in reach."""
    statement = select(showings.c.id).where(showings.c.id == showing_id, *visible())
    return await exists(db, statement)


async def insert_showing(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a showing from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_showing(
    db: AsyncConnection,
    showing_id: uuid.UUID,
    values: dict[str, Any],
    *,
    seen: datetime | None = None,
) -> Row | None:
    """Change a showing in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(showings)
        .where(
            showings.c.id == showing_id,
            *visible(),
            *unchanged_since(showings.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_showing(
    db: AsyncConnection,
    showing_id: uuid.UUID,
    *,
    seen: datetime | None = None,
) -> bool:
    """Delete a showing in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(showings)
        .where(
            showings.c.id == showing_id,
            *visible(),
            *unchanged_since(showings.c.updated_at, seen),
        )
        .returning(showings.c.id)
    )
    return await fetch_one(db, statement) is not None
