"""Queries on stock levels: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import stock as stock_models
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
    live_count,
    next_version,
    order_by,
    unchanged_since,
    utcnow,
)

stock_levels = table_of(stock_models.Stock)

# What a stock looks like in responses.
COLUMNS = (
    stock_levels.c.id,
    stock_levels.c.quantity,
    stock_levels.c.counted_on,
    stock_levels.c.item_id,
    stock_levels.c.location_id,
    stock_levels.c.created_at,
    stock_levels.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "quantity": stock_levels.c.quantity,
    "counted_on": stock_levels.c.counted_on,
    "created_at": stock_levels.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "counted_on": (stock_levels.c.counted_on, EQ),
    "counted_on_min": (stock_levels.c.counted_on, GE),
    "counted_on_max": (stock_levels.c.counted_on, LE),
    "item_id": (stock_levels.c.item_id, EQ),
    "location_id": (stock_levels.c.location_id, EQ),
}


# Every live row is in the list when it has no filter: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(stock_levels)


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
    order = order_by(SORTS, sort, stock_levels.c.id)
    total = LIVE if not filters else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_stock_levels(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
) -> tuple[list[Row], int]:
    """One page of stock levels and the total."""
    params = _params(filters)
    shape = _page(tuple(sorted(filters)), sort)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(stock_levels.c.id == bindparam("id"), *visible())
_INSERT = insert(stock_levels).returning(*COLUMNS)


async def get_stock(db: AsyncConnection, stock_id: uuid.UUID) -> Row | None:
    """One stock, if it is in reach."""
    return await fetch_one(db, _GET, {"id": stock_id})


async def stock_exists(db: AsyncConnection, stock_id: uuid.UUID) -> bool:
    """Whether the stock exists and is in reach."""
    statement = select(stock_levels.c.id).where(stock_levels.c.id == stock_id, *visible())
    return await exists(db, statement)


async def insert_stock(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a stock from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_stock(
    db: AsyncConnection,
    stock_id: uuid.UUID,
    values: dict[str, Any],
    *,
    seen: datetime | None = None,
) -> Row | None:
    """Change a stock in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(stock_levels)
        .where(
            stock_levels.c.id == stock_id,
            *visible(),
            *unchanged_since(stock_levels.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_stock(
    db: AsyncConnection,
    stock_id: uuid.UUID,
    *,
    seen: datetime | None = None,
) -> bool:
    """Delete a stock in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(stock_levels)
        .where(
            stock_levels.c.id == stock_id,
            *visible(),
            *unchanged_since(stock_levels.c.updated_at, seen),
        )
        .returning(stock_levels.c.id)
    )
    return await fetch_one(db, statement) is not None
