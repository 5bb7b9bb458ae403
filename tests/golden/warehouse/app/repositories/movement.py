"""Queries on movements: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import movement as movement_models
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

movements = table_of(movement_models.Movement)

# What a movement looks like in responses.
COLUMNS = (
    movements.c.id,
    movements.c.quantity,
    movements.c.direction,
    movements.c.reference,
    movements.c.item_id,
    movements.c.location_id,
    movements.c.owner_id,
    movements.c.created_at,
    movements.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "quantity": movements.c.quantity,
    "created_at": movements.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "direction": (movements.c.direction, EQ),
    "item_id": (movements.c.item_id, EQ),
    "location_id": (movements.c.location_id, EQ),
}


# Every live row is in the list when it has no filter and no owner scope: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(movements)


def visible(owner_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    """The rows in reach: owned by ``owner_id`` when one is given."""
    clauses: list[ColumnElement[bool]] = []
    if owner_id is not None:
        clauses.append(movements.c.owner_id == owner_id)
    return clauses


def _where(filters: tuple[str, ...], owned: bool) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given, in the owner scope."""
    where = [*visible(), *bound_filters(FILTERS, filters)]
    if owned:
        where.append(movements.c.owner_id == bindparam("owner_id"))
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
    order = order_by(SORTS, sort, movements.c.id)
    total = LIVE if not filters and not owned else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_movements(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
    owner_id: uuid.UUID | None = None,
) -> tuple[list[Row], int]:
    """One page of movements and the total."""
    params = _params(filters, owner_id)
    shape = _page(tuple(sorted(filters)), sort, owner_id is not None)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(movements.c.id == bindparam("id"), *visible())
_INSERT = insert(movements).returning(*COLUMNS)
_GET_OWNED = select(*COLUMNS).where(
    movements.c.id == bindparam("id"), *visible(), movements.c.owner_id == bindparam("owner_id")
)


async def get_movement(
    db: AsyncConnection, movement_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> Row | None:
    """One movement, if it is in reach."""
    if owner_id is not None:
        return await fetch_one(db, _GET_OWNED, {"id": movement_id, "owner_id": owner_id})
    return await fetch_one(db, _GET, {"id": movement_id})


async def movement_exists(
    db: AsyncConnection, movement_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> bool:
    """Whether the movement exists and is in reach."""
    statement = select(movements.c.id).where(movements.c.id == movement_id, *visible(owner_id))
    return await exists(db, statement)


async def insert_movement(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a movement from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_movement(
    db: AsyncConnection,
    movement_id: uuid.UUID,
    values: dict[str, Any],
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> Row | None:
    """Change a movement in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(movements)
        .where(
            movements.c.id == movement_id,
            *visible(owner_id),
            *unchanged_since(movements.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_movement(
    db: AsyncConnection,
    movement_id: uuid.UUID,
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> bool:
    """Delete a movement in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(movements)
        .where(
            movements.c.id == movement_id,
            *visible(owner_id),
            *unchanged_since(movements.c.updated_at, seen),
        )
        .returning(movements.c.id)
    )
    return await fetch_one(db, statement) is not None
