"""Queries on locations: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import location as location_models
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

locations = table_of(location_models.Location)

# What a location looks like in responses.
COLUMNS = (
    locations.c.id,
    locations.c.code,
    locations.c.limit,
    locations.c.active,
    locations.c.created_at,
    locations.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "code": locations.c.code,
    "created_at": locations.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "active": (locations.c.active, EQ),
}


# Every live row is in the list when it has no filter: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(locations)


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
    order = order_by(SORTS, sort, locations.c.id)
    total = LIVE if not filters else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_locations(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
) -> tuple[list[Row], int]:
    """One page of locations and the total."""
    params = _params(filters)
    shape = _page(tuple(sorted(filters)), sort)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(locations.c.id == bindparam("id"), *visible())
_INSERT = insert(locations).returning(*COLUMNS)


async def get_location(db: AsyncConnection, location_id: uuid.UUID) -> Row | None:
    """One location, if it is in reach."""
    return await fetch_one(db, _GET, {"id": location_id})


async def location_exists(db: AsyncConnection, location_id: uuid.UUID) -> bool:
    """Whether the location exists and is in reach."""
    statement = select(locations.c.id).where(locations.c.id == location_id, *visible())
    return await exists(db, statement)


async def insert_location(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a location from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_location(
    db: AsyncConnection,
    location_id: uuid.UUID,
    values: dict[str, Any],
    *,
    seen: datetime | None = None,
) -> Row | None:
    """Change a location in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(locations)
        .where(
            locations.c.id == location_id,
            *visible(),
            *unchanged_since(locations.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_location(
    db: AsyncConnection,
    location_id: uuid.UUID,
    *,
    seen: datetime | None = None,
) -> bool:
    """Delete a location in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(locations)
        .where(
            locations.c.id == location_id,
            *visible(),
            *unchanged_since(locations.c.updated_at, seen),
        )
        .returning(locations.c.id)
    )
    return await fetch_one(db, statement) is not None
