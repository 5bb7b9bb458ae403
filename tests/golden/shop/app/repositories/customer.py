"""Queries on customers: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import customer as customer_models
from app.models.base import table_of
from app.repositories.base import (
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

customers = table_of(customer_models.Customer)

# What a customer looks like in responses.
COLUMNS = (
    customers.c.id,
    customers.c.name,
    customers.c.phone,
    customers.c.credit_limit,
    customers.c.support_note,
    customers.c.owner_id,
    customers.c.created_at,
    customers.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "name": customers.c.name,
    "created_at": customers.c.created_at,
}
FILTERS: dict[str, Filter] = {}


# Every live row is in the list when it has no filter and no owner scope: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(customers)


def visible(owner_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    """The rows in reach: owned by ``owner_id`` when one is given."""
    clauses: list[ColumnElement[bool]] = []
    if owner_id is not None:
        clauses.append(customers.c.owner_id == owner_id)
    return clauses


def _where(filters: tuple[str, ...], owned: bool) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given, in the owner scope."""
    where = [*visible(), *bound_filters(FILTERS, filters)]
    if owned:
        where.append(customers.c.owner_id == bindparam("owner_id"))
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
    order = order_by(SORTS, sort, customers.c.id)
    total = LIVE if not filters and not owned else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_customers(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
    owner_id: uuid.UUID | None = None,
) -> tuple[list[Row], int]:
    """One page of customers and the total."""
    params = _params(filters, owner_id)
    shape = _page(tuple(sorted(filters)), sort, owner_id is not None)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(customers.c.id == bindparam("id"), *visible())
_INSERT = insert(customers).returning(*COLUMNS)
_GET_OWNED = select(*COLUMNS).where(
    customers.c.id == bindparam("id"), *visible(), customers.c.owner_id == bindparam("owner_id")
)


async def get_customer(
    db: AsyncConnection, customer_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> Row | None:
    """One customer, if it is in reach."""
    if owner_id is not None:
        return await fetch_one(db, _GET_OWNED, {"id": customer_id, "owner_id": owner_id})
    return await fetch_one(db, _GET, {"id": customer_id})


async def customer_exists(
    db: AsyncConnection, customer_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> bool:
    """Whether the customer exists and is in reach."""
    statement = select(customers.c.id).where(customers.c.id == customer_id, *visible(owner_id))
    return await exists(db, statement)


async def insert_customer(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a customer from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_customer(
    db: AsyncConnection,
    customer_id: uuid.UUID,
    values: dict[str, Any],
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> Row | None:
    """Change a customer in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(customers)
        .where(
            customers.c.id == customer_id,
            *visible(owner_id),
            *unchanged_since(customers.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_customer(
    db: AsyncConnection,
    customer_id: uuid.UUID,
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> bool:
    """Delete a customer in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(customers)
        .where(
            customers.c.id == customer_id,
            *visible(owner_id),
            *unchanged_since(customers.c.updated_at, seen),
        )
        .returning(customers.c.id)
    )
    return await fetch_one(db, statement) is not None
