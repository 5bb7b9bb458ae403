"""Queries on events: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import event as event_models
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

events = table_of(event_models.Event)

# What an event looks like in responses (deleted_at stays inside).
COLUMNS = (
    events.c.id,
    events.c.title,
    events.c.date.label("date"),
    events.c.published,
    events.c.venue_id,
    events.c.owner_id,
    events.c.created_at,
    events.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "title": events.c.title,
    "date": events.c.date,
    "created_at": events.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "date": (events.c.date, EQ),
    "date_min": (events.c.date, GE),
    "date_max": (events.c.date, LE),
    "published": (events.c.published, EQ),
    "venue_id": (events.c.venue_id, EQ),
}


# Every live row is in the list when it has no filter and no owner scope: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(events)


def visible(owner_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    """The rows in reach: not deleted, and owned by ``owner_id`` when one is given."""
    clauses: list[ColumnElement[bool]] = [events.c.deleted_at.is_(None)]
    if owner_id is not None:
        clauses.append(events.c.owner_id == owner_id)
    return clauses


def _where(filters: tuple[str, ...], owned: bool) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given, in the owner scope."""
    where = [*visible(), *bound_filters(FILTERS, filters)]
    if owned:
        where.append(events.c.owner_id == bindparam("owner_id"))
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
    order = order_by(SORTS, sort, events.c.id)
    total = LIVE if not filters and not owned else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_events(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
    owner_id: uuid.UUID | None = None,
) -> tuple[list[Row], int]:
    """One page of events and the total."""
    params = _params(filters, owner_id)
    shape = _page(tuple(sorted(filters)), sort, owner_id is not None)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(events.c.id == bindparam("id"), *visible())
_INSERT = insert(events).returning(*COLUMNS)
_GET_OWNED = select(*COLUMNS).where(
    events.c.id == bindparam("id"), *visible(), events.c.owner_id == bindparam("owner_id")
)


async def get_event(
    db: AsyncConnection, event_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> Row | None:
    """One event, if it is in reach."""
    if owner_id is not None:
        return await fetch_one(db, _GET_OWNED, {"id": event_id, "owner_id": owner_id})
    return await fetch_one(db, _GET, {"id": event_id})


async def event_exists(
    db: AsyncConnection, event_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> bool:
    """Whether the event exists and is in reach."""
    statement = select(events.c.id).where(events.c.id == event_id, *visible(owner_id))
    return await exists(db, statement)


async def insert_event(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create an event from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_event(
    db: AsyncConnection,
    event_id: uuid.UUID,
    values: dict[str, Any],
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> Row | None:
    """Change an event in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(events)
        .where(
            events.c.id == event_id,
            *visible(owner_id),
            *unchanged_since(events.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_event(
    db: AsyncConnection,
    event_id: uuid.UUID,
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> bool:
    """Soft-delete an event in reach (only version ``seen``, if given): it stays in the
    table, invisible to every query."""
    now = next_version(seen)
    statement = (
        update(events)
        .where(
            events.c.id == event_id,
            *visible(owner_id),
            *unchanged_since(events.c.updated_at, seen),
        )
        .values(deleted_at=now, updated_at=now)
        .returning(events.c.id)
    )
    return await fetch_one(db, statement) is not None
