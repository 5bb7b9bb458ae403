"""Queries on items: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import item as item_models
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

items = table_of(item_models.Item)

# What an item looks like in responses.
COLUMNS = (
    items.c.id,
    items.c.sku,
    items.c.name,
    items.c.unit,
    items.c.weight,
    items.c.barcode,
    items.c["class"].label("class"),
    items.c.category_id,
    items.c.created_at,
    items.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "sku": items.c.sku,
    "name": items.c.name,
    "weight": items.c.weight,
    "created_at": items.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "sku": (items.c.sku, EQ),
    "unit": (items.c.unit, EQ),
    "class": (items.c["class"], EQ),
    "category_id": (items.c.category_id, EQ),
}


# Every live row is in the list when it has no filter: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(items)


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
    order = order_by(SORTS, sort, items.c.id)
    total = LIVE if not filters else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_items(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
) -> tuple[list[Row], int]:
    """One page of items and the total."""
    params = _params(filters)
    shape = _page(tuple(sorted(filters)), sort)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(items.c.id == bindparam("id"), *visible())
_INSERT = insert(items).returning(*COLUMNS)


async def get_item(db: AsyncConnection, item_id: uuid.UUID) -> Row | None:
    """One item, if it is in reach."""
    return await fetch_one(db, _GET, {"id": item_id})


async def item_exists(db: AsyncConnection, item_id: uuid.UUID) -> bool:
    """Whether the item exists and is in reach."""
    statement = select(items.c.id).where(items.c.id == item_id, *visible())
    return await exists(db, statement)


async def insert_item(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create an item from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_item(
    db: AsyncConnection,
    item_id: uuid.UUID,
    values: dict[str, Any],
    *,
    seen: datetime | None = None,
) -> Row | None:
    """Change an item in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(items)
        .where(
            items.c.id == item_id,
            *visible(),
            *unchanged_since(items.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_item(
    db: AsyncConnection,
    item_id: uuid.UUID,
    *,
    seen: datetime | None = None,
) -> bool:
    """Delete an item in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(items)
        .where(
            items.c.id == item_id,
            *visible(),
            *unchanged_since(items.c.updated_at, seen),
        )
        .returning(items.c.id)
    )
    return await fetch_one(db, statement) is not None
