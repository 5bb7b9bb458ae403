"""Queries on orders: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import order as order_models
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

orders = table_of(order_models.Order)

# What an order looks like in responses.
COLUMNS = (
    orders.c.id,
    orders.c.reference,
    orders.c.status,
    orders.c.placed_at,
    orders.c.paid_at,
    orders.c.shipped_on,
    orders.c.note,
    orders.c.customer_id,
    orders.c.owner_id,
    orders.c.created_at,
    orders.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "reference": orders.c.reference,
    "placed_at": orders.c.placed_at,
    "created_at": orders.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "status": (orders.c.status, EQ),
    "customer_id": (orders.c.customer_id, EQ),
}


# Every live row is in the list when it has no filter and no owner scope: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(orders)


def visible(owner_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    """The rows in reach: owned by ``owner_id`` when one is given."""
    clauses: list[ColumnElement[bool]] = []
    if owner_id is not None:
        clauses.append(orders.c.owner_id == owner_id)
    return clauses


def _where(filters: tuple[str, ...], owned: bool) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given, in the owner scope."""
    where = [*visible(), *bound_filters(FILTERS, filters)]
    if owned:
        where.append(orders.c.owner_id == bindparam("owner_id"))
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
    order = order_by(SORTS, sort, orders.c.id)
    total = LIVE if not filters and not owned else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_orders(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
    owner_id: uuid.UUID | None = None,
) -> tuple[list[Row], int]:
    """One page of orders and the total."""
    params = _params(filters, owner_id)
    shape = _page(tuple(sorted(filters)), sort, owner_id is not None)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# The keys the stats may group by, and what each group answers (app.repositories.stats).
STATS_KEYS: dict[str, stats.Key] = {
    "status": stats.Key(orders.c.status),
    "customer": stats.Key(orders.c.customer_id),
    "created_at:month": stats.Key(orders.c.created_at, "month", moment=True),
}
STATS_MEASURES = (stats.Measure("count", "count"),)


async def stats_orders(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    group_by: list[str],
    owner_id: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """The stats of the orders a list with these filters and scope would show."""
    params = filter_params(filters)
    where = [*visible(), *bound_filters(FILTERS, sorted(filters))]
    if owner_id is not None:
        where.append(orders.c.owner_id == bindparam("owner_id"))
        params["owner_id"] = owner_id
    keys = {name: STATS_KEYS[name] for name in group_by}
    query = stats.statement(where, keys, STATS_MEASURES, db.dialect.name, orders)
    return await stats.fetch(db, query, params, keys, STATS_MEASURES)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(orders.c.id == bindparam("id"), *visible())
_INSERT = insert(orders).returning(*COLUMNS)
_GET_OWNED = select(*COLUMNS).where(
    orders.c.id == bindparam("id"), *visible(), orders.c.owner_id == bindparam("owner_id")
)


async def get_order(
    db: AsyncConnection, order_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> Row | None:
    """One order, if it is in reach."""
    if owner_id is not None:
        return await fetch_one(db, _GET_OWNED, {"id": order_id, "owner_id": owner_id})
    return await fetch_one(db, _GET, {"id": order_id})


async def order_exists(
    db: AsyncConnection, order_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> bool:
    """Whether the order exists and is in reach."""
    statement = select(orders.c.id).where(orders.c.id == order_id, *visible(owner_id))
    return await exists(db, statement)


async def insert_order(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create an order from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_order(
    db: AsyncConnection,
    order_id: uuid.UUID,
    values: dict[str, Any],
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> Row | None:
    """Change an order in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(orders)
        .where(
            orders.c.id == order_id,
            *visible(owner_id),
            *unchanged_since(orders.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def transition_order(
    db: AsyncConnection,
    order_id: uuid.UUID,
    field: str,
    sources: tuple[str, ...],
    values: dict[str, Any],
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> Row | None:
    """Set ``values`` (the new state among them) on an order in reach whose ``field`` is
    one of ``sources``: one statement, so of two concurrent moves from the same state
    exactly one matches. ``None`` when no row matched (out of reach, another version,
    or another state)."""
    statement = (
        update(orders)
        .where(
            orders.c.id == order_id,
            orders.c[field].in_(sources),
            *visible(owner_id),
            *unchanged_since(orders.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_order(
    db: AsyncConnection,
    order_id: uuid.UUID,
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> bool:
    """Delete an order in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(orders)
        .where(
            orders.c.id == order_id,
            *visible(owner_id),
            *unchanged_since(orders.c.updated_at, seen),
        )
        .returning(orders.c.id)
    )
    return await fetch_one(db, statement) is not None
