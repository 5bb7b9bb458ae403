"""Queries on tickets: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import ticket as ticket_models
from app.models.base import table_of
from app.models.ticket import ticket_labels
from app.repositories import label as label_repo
from app.repositories.base import (
    EQ,
    Filter,
    Page,
    Row,
    bound_filters,
    exists,
    fetch_one,
    fetch_page,
    filter_params,
    insert_ignoring_duplicates,
    live_count,
    next_version,
    order_by,
    unchanged_since,
    utcnow,
)

tickets = table_of(ticket_models.Ticket)

# What a ticket looks like in responses.
COLUMNS = (
    tickets.c.id,
    tickets.c.subject,
    tickets.c.body,
    tickets.c.priority,
    tickets.c.state,
    tickets.c.due_at,
    tickets.c.account_id,
    tickets.c.reporter_id,
    tickets.c.assignee_id,
    tickets.c.owner_id,
    tickets.c.created_at,
    tickets.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "priority": tickets.c.priority,
    "due_at": tickets.c.due_at,
    "created_at": tickets.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "priority": (tickets.c.priority, EQ),
    "state": (tickets.c.state, EQ),
    "account_id": (tickets.c.account_id, EQ),
    "reporter_id": (tickets.c.reporter_id, EQ),
    "assignee_id": (tickets.c.assignee_id, EQ),
}


# Every live row is in the list when it has no filter and no owner scope: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(tickets)


def visible(owner_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    """The rows in reach: owned by ``owner_id`` when one is given."""
    clauses: list[ColumnElement[bool]] = []
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
    total = LIVE if not filters and not owned else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


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


async def list_ticket_labels(
    db: AsyncConnection,
    ticket_id: uuid.UUID,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
) -> tuple[list[Row], int]:
    """One page of the labels linked to a ticket, in one query."""
    statement = (
        select(*label_repo.COLUMNS)
        .join(ticket_labels, ticket_labels.c.label_id == label_repo.labels.c.id)
        .where(
            ticket_labels.c.ticket_id == ticket_id,
            *label_repo.visible(),
            *bound_filters(label_repo.FILTERS, filters),
        )
    )
    order = order_by(label_repo.SORTS, sort, label_repo.labels.c.id)
    return await fetch_page(
        db, statement, order=order, page=page, limit=limit, params=filter_params(filters)
    )


async def link_ticket_labels(
    db: AsyncConnection, ticket_id: uuid.UUID, label_id: uuid.UUID
) -> None:
    """Link a label; linking twice changes nothing."""
    statement = insert_ignoring_duplicates(db, ticket_labels).values(
        ticket_id=ticket_id, label_id=label_id, created_at=utcnow()
    )
    await db.execute(statement)


async def unlink_ticket_labels(
    db: AsyncConnection, ticket_id: uuid.UUID, label_id: uuid.UUID
) -> None:
    """Remove the link to a label, if there is one."""
    await db.execute(
        delete(ticket_labels).where(
            ticket_labels.c.ticket_id == ticket_id,
            ticket_labels.c.label_id == label_id,
        )
    )
