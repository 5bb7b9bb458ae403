"""Queries on accounts: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import account as account_models
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

accounts = table_of(account_models.Account)

# What an account looks like in responses.
COLUMNS = (
    accounts.c.id,
    accounts.c.name,
    accounts.c.tier,
    accounts.c.domain,
    accounts.c.created_at,
    accounts.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "name": accounts.c.name,
    "created_at": accounts.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "tier": (accounts.c.tier, EQ),
}


# Every live row is in the list when it has no filter: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(accounts)


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
    order = order_by(SORTS, sort, accounts.c.id)
    total = LIVE if not filters else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_accounts(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
) -> tuple[list[Row], int]:
    """One page of accounts and the total."""
    params = _params(filters)
    shape = _page(tuple(sorted(filters)), sort)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(accounts.c.id == bindparam("id"), *visible())
_INSERT = insert(accounts).returning(*COLUMNS)


async def get_account(db: AsyncConnection, account_id: uuid.UUID) -> Row | None:
    """One account, if it is in reach."""
    return await fetch_one(db, _GET, {"id": account_id})


async def account_exists(db: AsyncConnection, account_id: uuid.UUID) -> bool:
    """Whether the account exists and is in reach."""
    statement = select(accounts.c.id).where(accounts.c.id == account_id, *visible())
    return await exists(db, statement)


async def insert_account(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create an account from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_account(
    db: AsyncConnection,
    account_id: uuid.UUID,
    values: dict[str, Any],
    *,
    seen: datetime | None = None,
) -> Row | None:
    """Change an account in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(accounts)
        .where(
            accounts.c.id == account_id,
            *visible(),
            *unchanged_since(accounts.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_account(
    db: AsyncConnection,
    account_id: uuid.UUID,
    *,
    seen: datetime | None = None,
) -> bool:
    """Delete an account in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(accounts)
        .where(
            accounts.c.id == account_id,
            *visible(),
            *unchanged_since(accounts.c.updated_at, seen),
        )
        .returning(accounts.c.id)
    )
    return await fetch_one(db, statement) is not None
