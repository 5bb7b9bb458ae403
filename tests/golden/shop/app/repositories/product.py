"""Queries on products: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import product as product_models
from app.models.base import table_of
from app.repositories import search
from app.repositories.base import (
    EQ,
    FILTER,
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

products = table_of(product_models.Product)

# What a product looks like in responses.
COLUMNS = (
    products.c.id,
    products.c.sku,
    products.c.name,
    products.c.description,
    products.c.price,
    products.c.sale_price,
    products.c.stock,
    products.c.active,
    products.c.created_at,
    products.c.updated_at,
)
# The full-text index behind ``q`` (app.repositories.search), in english.
SEARCH = search.Index(products, "english")
SORTS: dict[str, ColumnElement[Any]] = {
    "sku": products.c.sku,
    "name": products.c.name,
    "price": products.c.price,
    "created_at": products.c.created_at,
    "relevance": SEARCH.rank(bindparam(FILTER + "q")),  # best matches of q first
}
FILTERS: dict[str, Filter] = {
    "price": (products.c.price, EQ),
    "price_min": (products.c.price, GE),
    "price_max": (products.c.price, LE),
    "active": (products.c.active, EQ),
    "q": (products.c.id, SEARCH.match),
}


# Every live row is in the list when it has no filter: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(products)


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
    order = order_by(SORTS, sort, products.c.id)
    total = LIVE if not filters else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_products(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
) -> tuple[list[Row], int]:
    """One page of products and the total."""
    params = _params(filters)
    shape = _page(tuple(sorted(filters)), sort)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(products.c.id == bindparam("id"), *visible())
_INSERT = insert(products).returning(*COLUMNS)


async def get_product(db: AsyncConnection, product_id: uuid.UUID) -> Row | None:
    """One product, if it is in reach."""
    return await fetch_one(db, _GET, {"id": product_id})


async def product_exists(db: AsyncConnection, product_id: uuid.UUID) -> bool:
    """Whether the product exists and is in reach."""
    statement = select(products.c.id).where(products.c.id == product_id, *visible())
    return await exists(db, statement)


async def insert_product(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a product from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_product(
    db: AsyncConnection,
    product_id: uuid.UUID,
    values: dict[str, Any],
    *,
    seen: datetime | None = None,
) -> Row | None:
    """Change a product in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(products)
        .where(
            products.c.id == product_id,
            *visible(),
            *unchanged_since(products.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_product(
    db: AsyncConnection,
    product_id: uuid.UUID,
    *,
    seen: datetime | None = None,
) -> bool:
    """Delete a product in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(products)
        .where(
            products.c.id == product_id,
            *visible(),
            *unchanged_since(products.c.updated_at, seen),
        )
        .returning(products.c.id)
    )
    return await fetch_one(db, statement) is not None
