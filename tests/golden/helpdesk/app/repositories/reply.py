"""Queries on replies: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import reply as reply_models
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
    live_count,
    next_version,
    order_by,
    unchanged_since,
    utcnow,
)

replies = table_of(reply_models.Reply)

# What a reply looks like in responses.
COLUMNS = (
    replies.c.id,
    replies.c.body,
    replies.c.internal,
    replies.c.ticket_id,
    replies.c.owner_id,
    replies.c.created_at,
    replies.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "created_at": replies.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "internal": (replies.c.internal, EQ),
    "ticket_id": (replies.c.ticket_id, EQ),
}


# Every live row is in the list when it has no filter and no owner scope: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(replies)


def visible(owner_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    """The rows in reach: owned by ``owner_id`` when one is given."""
    clauses: list[ColumnElement[bool]] = []
    if owner_id is not None:
        clauses.append(replies.c.owner_id == owner_id)
    return clauses


def _where(
    filters: tuple[str, ...], owned: bool, parent_owned: bool = False
) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given, in the owner scope, in the ticket's owner scope."""
    where = [*visible(), *bound_filters(FILTERS, filters)]
    if owned:
        where.append(replies.c.owner_id == bindparam("owner_id"))
    if parent_owned:
        where.append(
            replies.c.ticket_id.in_(
                select(table_of(ticket_models.Ticket).c.id).where(
                    table_of(ticket_models.Ticket).c.owner_id == bindparam("parent_owner_id")
                )
            )
        )
    return where


def _params(
    filters: dict[str, Any], owner_id: uuid.UUID | None, parent_owner_id: uuid.UUID | None
) -> dict[str, Any]:
    """The values a list's statement binds."""
    params = filter_params(filters)
    if owner_id is not None:
        params["owner_id"] = owner_id
    if parent_owner_id is not None:
        params["parent_owner_id"] = parent_owner_id
    return params


@lru_cache(maxsize=256)
def _page(filters: tuple[str, ...], sort: str, owned: bool, parent_owned: bool = False) -> Page:
    """The list query of one shape (the filters given, the sort, the owner scope, the ticket's owner scope), built once."""
    where = _where(filters, owned, parent_owned)
    order = order_by(SORTS, sort, replies.c.id)
    total = LIVE if not filters and not owned and not parent_owned else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_replies(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
    owner_id: uuid.UUID | None = None,
    parent_owner_id: uuid.UUID | None = None,
) -> tuple[list[Row], int]:
    """One page of replies and the total; with ``parent_owner_id``, only those of tickets that user owns."""
    params = _params(filters, owner_id, parent_owner_id)
    shape = _page(tuple(sorted(filters)), sort, owner_id is not None, parent_owner_id is not None)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(replies.c.id == bindparam("id"), *visible())
_INSERT = insert(replies).returning(*COLUMNS)
_GET_OWNED = select(*COLUMNS).where(
    replies.c.id == bindparam("id"), *visible(), replies.c.owner_id == bindparam("owner_id")
)


async def get_reply(
    db: AsyncConnection, reply_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> Row | None:
    """One reply, if it is in reach."""
    if owner_id is not None:
        return await fetch_one(db, _GET_OWNED, {"id": reply_id, "owner_id": owner_id})
    return await fetch_one(db, _GET, {"id": reply_id})


async def reply_exists(
    db: AsyncConnection, reply_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> bool:
    """Whether the reply exists and is in reach."""
    statement = select(replies.c.id).where(replies.c.id == reply_id, *visible(owner_id))
    return await exists(db, statement)


async def insert_reply(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a reply from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_reply(
    db: AsyncConnection,
    reply_id: uuid.UUID,
    values: dict[str, Any],
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> Row | None:
    """Change a reply in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(replies)
        .where(
            replies.c.id == reply_id,
            *visible(owner_id),
            *unchanged_since(replies.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_reply(
    db: AsyncConnection,
    reply_id: uuid.UUID,
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> bool:
    """Delete a reply in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(replies)
        .where(
            replies.c.id == reply_id,
            *visible(owner_id),
            *unchanged_since(replies.c.updated_at, seen),
        )
        .returning(replies.c.id)
    )
    return await fetch_one(db, statement) is not None
