"""Queries on agents: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import agent as agent_models
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

agents = table_of(agent_models.Agent)

# What an agent looks like in responses.
COLUMNS = (
    agents.c.id,
    agents.c.handle,
    agents.c.email,
    agents.c.on_call,
    agents.c.created_at,
    agents.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "handle": agents.c.handle,
    "created_at": agents.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "on_call": (agents.c.on_call, EQ),
}


# Every live row is in the list when it has no filter: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(agents)


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
    order = order_by(SORTS, sort, agents.c.id)
    total = LIVE if not filters else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_agents(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
) -> tuple[list[Row], int]:
    """One page of agents and the total."""
    params = _params(filters)
    shape = _page(tuple(sorted(filters)), sort)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(agents.c.id == bindparam("id"), *visible())
_INSERT = insert(agents).returning(*COLUMNS)


async def get_agent(db: AsyncConnection, agent_id: uuid.UUID) -> Row | None:
    """One agent, if it is in reach."""
    return await fetch_one(db, _GET, {"id": agent_id})


async def agent_exists(db: AsyncConnection, agent_id: uuid.UUID) -> bool:
    """Whether the agent exists and is in reach."""
    statement = select(agents.c.id).where(agents.c.id == agent_id, *visible())
    return await exists(db, statement)


async def insert_agent(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create an agent from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_agent(
    db: AsyncConnection,
    agent_id: uuid.UUID,
    values: dict[str, Any],
    *,
    seen: datetime | None = None,
) -> Row | None:
    """Change an agent in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(agents)
        .where(
            agents.c.id == agent_id,
            *visible(),
            *unchanged_since(agents.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_agent(
    db: AsyncConnection,
    agent_id: uuid.UUID,
    *,
    seen: datetime | None = None,
) -> bool:
    """Delete an agent in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(agents)
        .where(
            agents.c.id == agent_id,
            *visible(),
            *unchanged_since(agents.c.updated_at, seen),
        )
        .returning(agents.c.id)
    )
    return await fetch_one(db, statement) is not None
