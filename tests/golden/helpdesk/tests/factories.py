"""Rows for tests, written through the repositories: no HTTP, no password hashing.

``SAMPLES`` hold three rows per resource whose values increase from one row to the
next, so tests know in advance how paging, sorting and filtering order them.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.config import Settings
from app.core.security import create_access_token
from app.repositories import account as account_repo
from app.repositories import agent as agent_repo
from app.repositories import label as label_repo
from app.repositories import reply as reply_repo
from app.repositories import ticket as ticket_repo
from app.repositories import user as user_repo
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


ACCOUNT_SAMPLES: tuple[dict[str, Any], ...] = (
    {"name": "Name 0001", "tier": "free", "domain": "Domain 0001"},
    {"name": "Name 0002", "tier": "pro", "domain": "Domain 0002"},
    {"name": "Name 0003", "tier": "enterprise", "domain": "Domain 0003"},
    {"name": "Name 0004", "tier": "free", "domain": "Domain 0004"},
    {"name": "Name 0005", "tier": "pro", "domain": "Domain 0005"},
    {"name": "Name 0006", "tier": "enterprise", "domain": "Domain 0006"},
)


async def create_account(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """An account: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**ACCOUNT_SAMPLES[sample or 0]}
    if sample is None:
        row.update({"name": f"name-{next(SERIAL):07d}"[:120]})
    row.update(values)
    created = await account_repo.insert_account(db, row)
    await db.commit()
    return created


AGENT_SAMPLES: tuple[dict[str, Any], ...] = (
    {"handle": "Handle 0001", "email": "user0001@example.com", "on_call": False},
    {"handle": "Handle 0002", "email": "user0002@example.com", "on_call": True},
    {"handle": "Handle 0003", "email": "user0003@example.com", "on_call": False},
    {"handle": "Handle 0004", "email": "user0004@example.com", "on_call": True},
    {"handle": "Handle 0005", "email": "user0005@example.com", "on_call": False},
    {"handle": "Handle 0006", "email": "user0006@example.com", "on_call": True},
)


async def create_agent(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """An agent: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**AGENT_SAMPLES[sample or 0]}
    if sample is None:
        row.update(
            {
                "handle": f"handle-{next(SERIAL):07d}"[:255],
                "email": f"email-{next(SERIAL):07d}"[:320],
            }
        )
    row.update(values)
    created = await agent_repo.insert_agent(db, row)
    await db.commit()
    return created


LABEL_SAMPLES: tuple[dict[str, Any], ...] = (
    {"name": "Name 0001", "colour": "Colour 0001"},
    {"name": "Name 0002", "colour": "Colour 0002"},
    {"name": "Name 0003", "colour": "Colour 0003"},
    {"name": "Name 0004", "colour": "Colour 0004"},
    {"name": "Name 0005", "colour": "Colour 0005"},
    {"name": "Name 0006", "colour": "Colour 0006"},
)


async def create_label(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A label: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**LABEL_SAMPLES[sample or 0]}
    if sample is None:
        row.update({"name": f"name-{next(SERIAL):07d}"[:255]})
    row.update(values)
    created = await label_repo.insert_label(db, row)
    await db.commit()
    return created


TICKET_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "subject": "Subject 0001",
        "body": "Body 0001",
        "priority": "low",
        "state": "open",
        "due_at": datetime(2024, 1, 1, 0, tzinfo=UTC),
    },
    {
        "subject": "Subject 0002",
        "body": "Body 0002",
        "priority": "normal",
        "state": "pending",
        "due_at": datetime(2024, 1, 1, 1, tzinfo=UTC),
    },
    {
        "subject": "Subject 0003",
        "body": "Body 0003",
        "priority": "high",
        "state": "solved",
        "due_at": datetime(2024, 1, 1, 2, tzinfo=UTC),
    },
    {
        "subject": "Subject 0004",
        "body": "Body 0004",
        "priority": "urgent",
        "state": "closed",
        "due_at": datetime(2024, 1, 1, 3, tzinfo=UTC),
    },
    {
        "subject": "Subject 0005",
        "body": "Body 0005",
        "priority": "low",
        "state": "open",
        "due_at": datetime(2024, 1, 1, 4, tzinfo=UTC),
    },
    {
        "subject": "Subject 0006",
        "body": "Body 0006",
        "priority": "normal",
        "state": "pending",
        "due_at": datetime(2024, 1, 1, 5, tzinfo=UTC),
    },
)


async def create_ticket(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A ticket: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**TICKET_SAMPLES[sample or 0]}
    row.update(values)
    if "account_id" not in row:
        row["account_id"] = (await create_account(db, owner))["id"]
    row.setdefault("owner_id", owner.id)
    created = await ticket_repo.insert_ticket(db, row)
    await db.commit()
    return created


REPLY_SAMPLES: tuple[dict[str, Any], ...] = (
    {"body": "Body 0001", "internal": False},
    {"body": "Body 0002", "internal": True},
    {"body": "Body 0003", "internal": False},
    {"body": "Body 0004", "internal": True},
    {"body": "Body 0005", "internal": False},
    {"body": "Body 0006", "internal": True},
)


async def create_reply(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A reply: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**REPLY_SAMPLES[sample or 0]}
    row.update(values)
    if "ticket_id" not in row:
        row["ticket_id"] = (await create_ticket(db, owner))["id"]
    row.setdefault("owner_id", owner.id)
    created = await reply_repo.insert_reply(db, row)
    await db.commit()
    return created
