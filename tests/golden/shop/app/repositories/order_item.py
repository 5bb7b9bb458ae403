"""Queries on order items: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import order as order_models
from app.models import order_item as order_item_models
from app.models.base import table_of
from app.repositories import stats
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

order_items = table_of(order_item_models.OrderItem)

# What an order item looks like in responses.
COLUMNS = (
    order_items.c.id,
    order_items.c.quantity,
    order_items.c.unit_price,
    order_items.c.order_id,
    order_items.c.product_id,
    order_items.c.created_at,
    order_items.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "created_at": order_items.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "product_id": (order_items.c.product_id, EQ),
    "order_id": (order_items.c.order_id, EQ),
}


# Every live row is in the list when it has no filter: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(order_items)


def visible() -> list[ColumnElement[bool]]:
    """The rows in reach: all of them."""
    return []


def _where(filters: tuple[str, ...], parent_owned: bool = False) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given, in the order's owner scope."""
    where = [*visible(), *bound_filters(FILTERS, filters)]
    if parent_owned:
        where.append(
            order_items.c.order_id.in_(
                select(table_of(order_models.Order).c.id).where(
                    table_of(order_models.Order).c.owner_id == bindparam("parent_owner_id")
                )
            )
        )
    return where


def _params(filters: dict[str, Any], parent_owner_id: uuid.UUID | None) -> dict[str, Any]:
    """The values a list's statement binds."""
    params = filter_params(filters)
    if parent_owner_id is not None:
        params["parent_owner_id"] = parent_owner_id
    return params


@lru_cache(maxsize=256)
def _page(filters: tuple[str, ...], sort: str, parent_owned: bool = False) -> Page:
    """The list query of one shape (the filters given, the sort, the order's owner scope), built once."""
    where = _where(filters, parent_owned)
    order = order_by(SORTS, sort, order_items.c.id)
    total = LIVE if not filters and not parent_owned else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_order_items(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
    parent_owner_id: uuid.UUID | None = None,
) -> tuple[list[Row], int]:
    """One page of order items and the total; with ``parent_owner_id``, only those of orders that user owns."""
    params = _params(filters, parent_owner_id)
    shape = _page(tuple(sorted(filters)), sort, parent_owner_id is not None)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# The keys the stats may group by, and what each group answers (app.repositories.stats).
STATS_KEYS: dict[str, stats.Key] = {
    "product": stats.Key(order_items.c.product_id),
    "created_at:month": stats.Key(order_items.c.created_at, "month", moment=True),
}
STATS_MEASURES = (
    stats.Measure("count", "count"),
    stats.Measure("sum_quantity", "sum", order_items.c.quantity),
    stats.Measure("sum_unit_price", "sum", order_items.c.unit_price, 2),
    stats.Measure("avg_unit_price", "avg", order_items.c.unit_price, 2),
    stats.Measure("max_unit_price", "max", order_items.c.unit_price, 2),
)


async def stats_order_items(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    group_by: list[str],
    parent_owner_id: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """The stats of the order items a list with these filters and scope would show."""
    params = filter_params(filters)
    where = [*visible(), *bound_filters(FILTERS, sorted(filters))]
    if parent_owner_id is not None:
        where.append(
            order_items.c.order_id.in_(
                select(table_of(order_models.Order).c.id).where(
                    table_of(order_models.Order).c.owner_id == bindparam("parent_owner_id")
                )
            )
        )
        params["parent_owner_id"] = parent_owner_id
    keys = {name: STATS_KEYS[name] for name in group_by}
    query = stats.statement(where, keys, STATS_MEASURES, db.dialect.name, order_items)
    return await stats.fetch(db, query, params, keys, STATS_MEASURES)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(order_items.c.id == bindparam("id"), *visible())
_INSERT = insert(order_items).returning(*COLUMNS)


async def get_order_item(db: AsyncConnection, order_item_id: uuid.UUID) -> Row | None:
    """One order item, if it is in reach."""
    return await fetch_one(db, _GET, {"id": order_item_id})


async def order_item_exists(db: AsyncConnection, order_item_id: uuid.UUID) -> bool:
    """Whether the order item exists and is in reach."""
    statement = select(order_items.c.id).where(order_items.c.id == order_item_id, *visible())
    return await exists(db, statement)


async def insert_order_item(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create an order item from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_order_item(
    db: AsyncConnection,
    order_item_id: uuid.UUID,
    values: dict[str, Any],
    *,
    seen: datetime | None = None,
) -> Row | None:
    """Change an order item in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(order_items)
        .where(
            order_items.c.id == order_item_id,
            *visible(),
            *unchanged_since(order_items.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_order_item(
    db: AsyncConnection,
    order_item_id: uuid.UUID,
    *,
    seen: datetime | None = None,
) -> bool:
    """Delete an order item in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(order_items)
        .where(
            order_items.c.id == order_item_id,
            *visible(),
            *unchanged_since(order_items.c.updated_at, seen),
        )
        .returning(order_items.c.id)
    )
    return await fetch_one(db, statement) is not None
