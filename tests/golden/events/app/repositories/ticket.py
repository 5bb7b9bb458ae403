"""Queries on tickets: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import event as event_models
from app.models import showing as showing_models
from app.models import ticket as ticket_models
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
    next_version,
    order_by,
    unchanged_since,
    utcnow,
)

tickets = table_of(ticket_models.Ticket)

# What a ticket looks like in responses.
COLUMNS = (
    tickets.c.id,
    tickets.c.code,
    tickets.c["class"].label("class"),
    tickets.c.price,
    tickets.c.checked_in,
    tickets.c.showing_id,
    tickets.c.owner_id,
    tickets.c.created_at,
    tickets.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "price": tickets.c.price,
    "created_at": tickets.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "class": (tickets.c["class"], EQ),
    "checked_in": (tickets.c.checked_in, EQ),
    "showing_id": (tickets.c.showing_id, EQ),
}


def visible(owner_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    """The rows in reach: of live parents, and owned by ``owner_id`` when one is given."""
    clauses: list[ColumnElement[bool]] = []
    clauses.append(
        tickets.c.showing_id.in_(
            select(table_of(showing_models.Showing).c.id).where(
                table_of(showing_models.Showing).c.event_id.in_(
                    select(table_of(event_models.Event).c.id).where(
                        table_of(event_models.Event).c.deleted_at.is_(None)
                    )
                )
            )
        )
    )
    if owner_id is not None:
        clauses.append(tickets.c.owner_id == owner_id)
    return clauses


def _where(filters: tuple[str, ...], owned: bool) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given, in the owner scope."""
    where = [*visible(), *bound_filters(FILTERS, filters)]
    if owned:
        where.append(tickets.c.owner_id == bindparam("owner_id"))
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
    order = order_by(SORTS, sort, tickets.c.id)
    return Page.of(select(*COLUMNS).where(*where), order)


async def list_tickets(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
    owner_id: uuid.UUID | None = None,
) -> tuple[list[Row], int]:
    """One page of tickets and the total."""
    params = _params(filters, owner_id)
    shape = _page(tuple(sorted(filters)), sort, owner_id is not None)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(tickets.c.id == bindparam("id"), *visible())
_INSERT = insert(tickets).returning(*COLUMNS)
_GET_OWNED = select(*COLUMNS).where(
    tickets.c.id == bindparam("id"), *visible(), tickets.c.owner_id == bindparam("owner_id")
)


async def get_ticket(
    db: AsyncConnection, ticket_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> Row | None:
    """One ticket, if it is in reach."""
    if owner_id is not None:
        return await fetch_one(db, _GET_OWNED, {"id": ticket_id, "owner_id": owner_id})
    return await fetch_one(db, _GET, {"id": ticket_id})


async def ticket_exists(
    db: AsyncConnection, ticket_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> bool:
    """Whether the ticket exists and is in reach."""
    statement = select(tickets.c.id).where(tickets.c.id == ticket_id, *visible(owner_id))
    return await exists(db, statement)


async def insert_ticket(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a ticket from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_ticket(
    db: AsyncConnection,
    ticket_id: uuid.UUID,
    values: dict[str, Any],
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> Row | None:
    """Change a ticket in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(tickets)
        .where(
            tickets.c.id == ticket_id,
            *visible(owner_id),
            *unchanged_since(tickets.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_ticket(
    db: AsyncConnection,
    ticket_id: uuid.UUID,
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> bool:
    """Delete a ticket in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(tickets)
        .where(
            tickets.c.id == ticket_id,
            *visible(owner_id),
            *unchanged_since(tickets.c.updated_at, seen),
        )
        .returning(tickets.c.id)
    )
    return await fetch_one(db, statement) is not None
