"""Queries on appointments: Core statements, one round trip each, rows as dicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import appointment as appointment_models
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

appointments = table_of(appointment_models.Appointment)

# What an appointment looks like in responses.
COLUMNS = (
    appointments.c.id,
    appointments.c["from"].label("from"),
    appointments.c.to,
    appointments.c.type.label("type"),
    appointments.c.status,
    appointments.c.reason,
    appointments.c.patient_id,
    appointments.c.doctor_id,
    appointments.c.owner_id,
    appointments.c.created_at,
    appointments.c.updated_at,
)
SORTS: dict[str, ColumnElement[Any]] = {
    "from": appointments.c["from"],
    "to": appointments.c.to,
    "created_at": appointments.c.created_at,
}
FILTERS: dict[str, Filter] = {
    "from": (appointments.c["from"], EQ),
    "from_min": (appointments.c["from"], GE),
    "from_max": (appointments.c["from"], LE),
    "to": (appointments.c.to, EQ),
    "to_min": (appointments.c.to, GE),
    "to_max": (appointments.c.to, LE),
    "type": (appointments.c.type, EQ),
    "status": (appointments.c.status, EQ),
    "patient_id": (appointments.c.patient_id, EQ),
    "doctor_id": (appointments.c.doctor_id, EQ),
}


# Every live row is in the list when it has no filter and no owner scope: its total is
# then the count the triggers keep (app.models.counts), not a count(*) of the rows.
LIVE = live_count(appointments)


def visible(owner_id: uuid.UUID | None = None) -> list[ColumnElement[bool]]:
    """The rows in reach: owned by ``owner_id`` when one is given."""
    clauses: list[ColumnElement[bool]] = []
    if owner_id is not None:
        clauses.append(appointments.c.owner_id == owner_id)
    return clauses


def _where(filters: tuple[str, ...], owned: bool) -> list[ColumnElement[bool]]:
    """The rows a list of one shape reads: in reach, with the filters given, in the owner scope."""
    where = [*visible(), *bound_filters(FILTERS, filters)]
    if owned:
        where.append(appointments.c.owner_id == bindparam("owner_id"))
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
    order = order_by(SORTS, sort, appointments.c.id)
    total = LIVE if not filters and not owned else None
    return Page.of(select(*COLUMNS).where(*where), order, total)


async def list_appointments(
    db: AsyncConnection,
    *,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
    owner_id: uuid.UUID | None = None,
) -> tuple[list[Row], int]:
    """One page of appointments and the total."""
    params = _params(filters, owner_id)
    shape = _page(tuple(sorted(filters)), sort, owner_id is not None)
    return await shape.fetch(db, page=page, limit=limit, params=params)


# Built once, values bound per call (see fetch_one): building a statement with its
# values costs more CPU than running it.
_GET = select(*COLUMNS).where(appointments.c.id == bindparam("id"), *visible())
_INSERT = insert(appointments).returning(*COLUMNS)
_GET_OWNED = select(*COLUMNS).where(
    appointments.c.id == bindparam("id"),
    *visible(),
    appointments.c.owner_id == bindparam("owner_id"),
)


async def get_appointment(
    db: AsyncConnection, appointment_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> Row | None:
    """One appointment, if it is in reach."""
    if owner_id is not None:
        return await fetch_one(db, _GET_OWNED, {"id": appointment_id, "owner_id": owner_id})
    return await fetch_one(db, _GET, {"id": appointment_id})


async def appointment_exists(
    db: AsyncConnection, appointment_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> bool:
    """Whether the appointment exists and is in reach."""
    statement = select(appointments.c.id).where(
        appointments.c.id == appointment_id, *visible(owner_id)
    )
    return await exists(db, statement)


async def insert_appointment(db: AsyncConnection, values: dict[str, Any]) -> Row:
    """Create an appointment from validated values."""
    now = utcnow()
    row = {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **values}
    return dict((await db.execute(_INSERT, row)).mappings().one())


async def update_appointment(
    db: AsyncConnection,
    appointment_id: uuid.UUID,
    values: dict[str, Any],
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> Row | None:
    """Change an appointment in reach; ``None`` when no row matched.

    With ``seen`` (the ``updated_at`` an If-Match was checked against), only that
    version of the row matches.
    """
    statement = (
        update(appointments)
        .where(
            appointments.c.id == appointment_id,
            *visible(owner_id),
            *unchanged_since(appointments.c.updated_at, seen),
        )
        .values({**values, "updated_at": next_version(seen)})
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def delete_appointment(
    db: AsyncConnection,
    appointment_id: uuid.UUID,
    *,
    owner_id: uuid.UUID | None = None,
    seen: datetime | None = None,
) -> bool:
    """Delete an appointment in reach (only version ``seen``, if given); ``False`` when no
    row matched."""
    statement = (
        delete(appointments)
        .where(
            appointments.c.id == appointment_id,
            *visible(owner_id),
            *unchanged_since(appointments.c.updated_at, seen),
        )
        .returning(appointments.c.id)
    )
    return await fetch_one(db, statement) is not None
