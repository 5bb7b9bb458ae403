"""Rows for tests, written through the repositories: no HTTP, no password hashing.

``SAMPLES`` hold three rows per resource whose values increase from one row to the
next, so tests know in advance how paging, sorting and filtering order them.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.config import Settings
from app.core.security import create_access_token
from app.repositories import event as event_repo
from app.repositories import showing as showing_repo
from app.repositories import ticket as ticket_repo
from app.repositories import user as user_repo
from app.repositories import venue as venue_repo
from app.repositories.base import Row, utcnow

# Draws values for unique columns, so any number of rows can be made in one test.
SERIAL = itertools.count(1)
_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def short_serial(width: int) -> str:
    """The next serial in ``width`` letters (no digit, so never a sample row's value)."""
    return f"{next(SERIAL):0{width}x}"[-width:].translate(_LETTERS)


@dataclass(frozen=True)
class Account:
    """A signed-in user, with the header that authenticates it."""

    id: uuid.UUID
    email: str
    role: str
    session_id: uuid.UUID
    headers: dict[str, str]


async def sign_up(
    db: AsyncConnection, settings: Settings, *, role: str, email: str | None = None
) -> Account:
    """An account and an open session; its password is unusable (never needed here)."""
    now = utcnow()
    user = await user_repo.insert_user(
        db,
        email=email or f"{uuid.uuid4().hex[:12]}@example.com",
        password_hash="!unusable",
        role=role,
        now=now,
    )
    session_id = await user_repo.insert_session(
        db, user_id=user["id"], expires_at=now + timedelta(days=1), now=now
    )
    await db.commit()
    token = create_access_token(
        user_id=user["id"], session_id=session_id, role=role, now=now, settings=settings
    )
    return Account(
        id=user["id"],
        email=user["email"],
        role=role,
        session_id=session_id,
        headers={"Authorization": f"Bearer {token}"},
    )


VENUE_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "name": "Name 0001",
        "city": "City 0001",
        "capacity": 1,
        "website": "https://example.com/0001",
    },
    {
        "name": "Name 0002",
        "city": "City 0002",
        "capacity": 2,
        "website": "https://example.com/0002",
    },
    {
        "name": "Name 0003",
        "city": "City 0003",
        "capacity": 3,
        "website": "https://example.com/0003",
    },
    {
        "name": "Name 0004",
        "city": "City 0004",
        "capacity": 4,
        "website": "https://example.com/0004",
    },
    {
        "name": "Name 0005",
        "city": "City 0005",
        "capacity": 5,
        "website": "https://example.com/0005",
    },
    {
        "name": "Name 0006",
        "city": "City 0006",
        "capacity": 6,
        "website": "https://example.com/0006",
    },
)


async def create_venue(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A venue: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**VENUE_SAMPLES[sample or 0]}
    row.update(values)
    created = await venue_repo.insert_venue(db, row)
    await db.commit()
    return created


EVENT_SAMPLES: tuple[dict[str, Any], ...] = (
    {"title": "Title 0001", "date": date(2024, 1, 1), "published": False},
    {"title": "Title 0002", "date": date(2024, 1, 2), "published": True},
    {"title": "Title 0003", "date": date(2024, 1, 3), "published": False},
    {"title": "Title 0004", "date": date(2024, 1, 4), "published": True},
    {"title": "Title 0005", "date": date(2024, 1, 5), "published": False},
    {"title": "Title 0006", "date": date(2024, 1, 6), "published": True},
)


async def create_event(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """An event: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**EVENT_SAMPLES[sample or 0]}
    row.update(values)
    if "venue_id" not in row:
        row["venue_id"] = (await create_venue(db, owner))["id"]
    row.setdefault("owner_id", owner.id)
    created = await event_repo.insert_event(db, row)
    await db.commit()
    return created


SHOWING_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "title": "Title 0001",
        "starts_at": datetime(2024, 1, 1, 0, tzinfo=UTC),
        "minutes": 5,
        "room": "Room 0001",
    },
    {
        "title": "Title 0002",
        "starts_at": datetime(2024, 1, 1, 1, tzinfo=UTC),
        "minutes": 6,
        "room": "Room 0002",
    },
    {
        "title": "Title 0003",
        "starts_at": datetime(2024, 1, 1, 2, tzinfo=UTC),
        "minutes": 7,
        "room": "Room 0003",
    },
    {
        "title": "Title 0004",
        "starts_at": datetime(2024, 1, 1, 3, tzinfo=UTC),
        "minutes": 8,
        "room": "Room 0004",
    },
    {
        "title": "Title 0005",
        "starts_at": datetime(2024, 1, 1, 4, tzinfo=UTC),
        "minutes": 9,
        "room": "Room 0005",
    },
    {
        "title": "Title 0006",
        "starts_at": datetime(2024, 1, 1, 5, tzinfo=UTC),
        "minutes": 10,
        "room": "Room 0006",
    },
)


async def create_showing(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A showing: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**SHOWING_SAMPLES[sample or 0]}
    row.update(values)
    if "event_id" not in row:
        row["event_id"] = (await create_event(db, owner))["id"]
    created = await showing_repo.insert_showing(db, row)
    await db.commit()
    return created


TICKET_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "code": uuid.UUID("00000000-0000-4000-8000-000000000001"),
        "class": "standard",
        "price": Decimal("0.00"),
        "checked_in": False,
    },
    {
        "code": uuid.UUID("00000000-0000-4000-8000-000000000002"),
        "class": "student",
        "price": Decimal("1.00"),
        "checked_in": True,
    },
    {
        "code": uuid.UUID("00000000-0000-4000-8000-000000000003"),
        "class": "vip",
        "price": Decimal("2.00"),
        "checked_in": False,
    },
    {
        "code": uuid.UUID("00000000-0000-4000-8000-000000000004"),
        "class": "standard",
        "price": Decimal("3.00"),
        "checked_in": True,
    },
    {
        "code": uuid.UUID("00000000-0000-4000-8000-000000000005"),
        "class": "student",
        "price": Decimal("4.00"),
        "checked_in": False,
    },
    {
        "code": uuid.UUID("00000000-0000-4000-8000-000000000006"),
        "class": "vip",
        "price": Decimal("5.00"),
        "checked_in": True,
    },
)


async def create_ticket(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A ticket: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**TICKET_SAMPLES[sample or 0]}
    if sample is None:
        row.update({"code": uuid.uuid4()})
    row.update(values)
    if "showing_id" not in row:
        row["showing_id"] = (await create_showing(db, owner))["id"]
    row.setdefault("owner_id", owner.id)
    created = await ticket_repo.insert_ticket(db, row)
    await db.commit()
    return created
