"""Queries on loans: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import loan as loan_models
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

loans = table_of(loan_models.Loan)

# What a loan looks like in responses.
COLUMNS = (
    loans.c.id,
    loans.c.due_on,
    loans.c.returned_at,
    loans.c.reference,
    loans.c.contact_email,
    loans.c.book_id,
    loans.c.owner_id,
    loans.c.created_at,
    loans.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "due_on": loans.c.due_on,
    "created_at": loans.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "due_on": (loans.c.due_on, EQ),
    "due_on_min": (loans.c.due_on, GE),
    "due_on_max": (loans.c.due_on, LE),
    "book_id": (loans.c.book_id, EQ),
}


# Every live row is in the list when it has no filter and no owner scope: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(loans)


def visible(owner_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    """The rows in reach: owned by ``owner_id`` when one is given."""
    clauses: list[ColumnElement[bool]] = []
    if owner_id is not None:
        clauses.append(loans.c.owner_id == owner_id)
    return clauses


def _where(filters: tuple[str, ...], owned: bool) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given, in the owner scope."""
    where = [*visible(), *bound_filters(FILTERS, filters)]
    if owned:
        where.append(loans.c.owner_id == bindparam("owner_id"))
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
    order = order_by(SORTS, sort, loans.c.id)
    total = LIVE if not filters and not owned else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_loans(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
    owner_id: uuid.UUID | None = None,
) -> tuple[list[Row], int]:
    """One page of loans and the total."""
    params = _params(filters, owner_id)
    shape = _page(tuple(sorted(filters)), sort, owner_id is not None)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(loans.c.id == bindparam("id"), *visible())
_INSERT = insert(loans).returning(*COLUMNS)
_GET_OWNED = select(*COLUMNS).where(
    loans.c.id == bindparam("id"), *visible(), loans.c.owner_id == bindparam("owner_id")
)


async def get_loan(
    db: AsyncConnection, loan_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> Row | None:
    """One loan, if it is in reach."""
    if owner_id is not None:
        return await fetch_one(db, _GET_OWNED, {"id": loan_id, "owner_id": owner_id})
    return await fetch_one(db, _GET, {"id": loan_id})


async def loans_by_id(
    db: AsyncConnection, ids: Sequence[uuid.UUID], *, owner_id: uuid.UUID | None = None
) -> list[Row]:
    """The loans of ``ids`` in reach, in one statement."""
    statement = select(*COLUMNS).where(loans.c.id.in_(ids), *visible(owner_id))
    return [dict(row) for row in (await db.execute(statement)).mappings()]


async def loan_exists(
    db: AsyncConnection, loan_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> bool:
    """Whether the loan exists and is in reach."""
    statement = select(loans.c.id).where(loans.c.id == loan_id, *visible(owner_id))
    return await exists(db, statement)


async def insert_loan(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create a loan from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_loan(
    db: AsyncConnection,
    loan_id: uuid.UUID,
    values: dict[str, Any],
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> Row | None:
    """Change a loan in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(loans)
        .where(
            loans.c.id == loan_id,
            *visible(owner_id),
            *unchanged_since(loans.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_loan(
    db: AsyncConnection,
    loan_id: uuid.UUID,
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> bool:
    """Delete a loan in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(loans)
        .where(
            loans.c.id == loan_id,
            *visible(owner_id),
            *unchanged_since(loans.c.updated_at, seen),
        )
        .returning(loans.c.id)
    )
    return await fetch_one(db, statement) is not None
