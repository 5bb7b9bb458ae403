"""Queries on reviews: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.cursors import Position
from app.models import review as review_models
from app.models.base import table_of
from app.repositories.base import (
    EQ,
    GE,
    LE,
    Filter,
    Row,
    bound_filters,
    exists,
    fetch_one,
    filter_params,
    next_version,
    unchanged_since,
    utcnow,
)
from app.repositories.keyset import Keyset

reviews = table_of(review_models.Review)

# What a review looks like in responses.
COLUMNS = (
    reviews.c.id,
    reviews.c.rating,
    reviews.c.title,
    reviews.c.body,
    reviews.c.product_id,
    reviews.c.owner_id,
    reviews.c.created_at,
    reviews.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "rating": reviews.c.rating,
    "created_at": reviews.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "rating": (reviews.c.rating, EQ),
    "rating_min": (reviews.c.rating, GE),
    "rating_max": (reviews.c.rating, LE),
    "product_id": (reviews.c.product_id, EQ),
}


def visible(owner_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    """The rows in reach: owned by ``owner_id`` when one is given."""
    clauses: list[ColumnElement[bool]] = []
    if owner_id is not None:
        clauses.append(reviews.c.owner_id == owner_id)
    return clauses


def _where(filters: tuple[str, ...], owned: bool) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given, in the owner scope."""
    where = [*visible(), *bound_filters(FILTERS, filters)]
    if owned:
        where.append(reviews.c.owner_id == bindparam("owner_id"))
    return where


def _params(filters: dict[str, Any], owner_id: uuid.UUID | None) -> dict[str, Any]:
    """The values a list's statement binds."""
    params = filter_params(filters)
    if owner_id is not None:
        params["owner_id"] = owner_id
    return params


@lru_cache(maxsize=256)
def _page(filters: tuple[str, ...], sort: str, owned: bool) -> Keyset:
    """The list query of one shape (the filters given, the sort, the owner scope), built once: pages by keyset."""
    where = _where(filters, owned)
    return Keyset.of(select(*COLUMNS).where(*where), SORTS, sort, reviews.c.id)


async def list_reviews(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    after: Position | None,
    limit: int,
    owner_id: uuid.UUID | None = None,
) -> tuple[list[Row], Position | None]:
    """The reviews after ``after`` (from the first without it), and the position after them when more follow."""
    params = _params(filters, owner_id)
    shape = _page(tuple(sorted(filters)), sort, owner_id is not None)
    return await shape.fetch(db, after=after, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(reviews.c.id == bindparam("id"), *visible())
_INSERT = insert(reviews).returning(*COLUMNS)
_GET_OWNED = select(*COLUMNS).where(
    reviews.c.id == bindparam("id"), *visible(), reviews.c.owner_id == bindparam("owner_id")
)


async def get_review(
    db: AsyncConnection, review_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> Row | None:
    """One review, if it is in reach."""
    if owner_id is not None:
        return await fetch_one(db, _GET_OWNED, {"id": review_id, "owner_id": owner_id})
    return await fetch_one(db, _GET, {"id": review_id})


async def review_exists(
    db: AsyncConnection, review_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> bool:
    """Whether the review exists and is in reach."""
    statement = select(reviews.c.id).where(reviews.c.id == review_id, *visible(owner_id))
    return await exists(db, statement)


async def insert_review(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a review from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_review(
    db: AsyncConnection,
    review_id: uuid.UUID,
    values: dict[str, Any],
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> Row | None:
    """Change a review in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(reviews)
        .where(
            reviews.c.id == review_id,
            *visible(owner_id),
            *unchanged_since(reviews.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_review(
    db: AsyncConnection,
    review_id: uuid.UUID,
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> bool:
    """Delete a review in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(reviews)
        .where(
            reviews.c.id == review_id,
            *visible(owner_id),
            *unchanged_since(reviews.c.updated_at, seen),
        )
        .returning(reviews.c.id)
    )
    return await fetch_one(db, statement) is not None
