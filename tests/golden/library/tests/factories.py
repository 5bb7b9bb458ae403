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
from app.repositories import author as author_repo
from app.repositories import book as book_repo
from app.repositories import loan as loan_repo
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


AUTHOR_SAMPLES: tuple[dict[str, Any], ...] = (
    {"name": "Name 0001", "born_on": date(2024, 1, 1), "website": "https://example.com/0001"},
    {"name": "Name 0002", "born_on": date(2024, 1, 2), "website": "https://example.com/0002"},
    {"name": "Name 0003", "born_on": date(2024, 1, 3), "website": "https://example.com/0003"},
    {"name": "Name 0004", "born_on": date(2024, 1, 4), "website": "https://example.com/0004"},
    {"name": "Name 0005", "born_on": date(2024, 1, 5), "website": "https://example.com/0005"},
    {"name": "Name 0006", "born_on": date(2024, 1, 6), "website": "https://example.com/0006"},
)


async def create_author(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """An author: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**AUTHOR_SAMPLES[sample or 0]}
    row.update(values)
    created = await author_repo.insert_author(db, row)
    await db.commit()
    return created


BOOK_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "title": "Title 0001",
        "isbn": "Isbn 0001",
        "genre": "fiction",
        "pages": 1,
        "price": Decimal("0.00"),
        "available": True,
        "metadata": {"n": 1},
    },
    {
        "title": "Title 0002",
        "isbn": "Isbn 0002",
        "genre": "science",
        "pages": 2,
        "price": Decimal("1.00"),
        "available": False,
        "metadata": {"n": 2},
    },
    {
        "title": "Title 0003",
        "isbn": "Isbn 0003",
        "genre": "history",
        "pages": 3,
        "price": Decimal("2.00"),
        "available": True,
        "metadata": {"n": 3},
    },
    {
        "title": "Title 0004",
        "isbn": "Isbn 0004",
        "genre": "poetry",
        "pages": 4,
        "price": Decimal("3.00"),
        "available": False,
        "metadata": {"n": 4},
    },
    {
        "title": "Title 0005",
        "isbn": "Isbn 0005",
        "genre": "fiction",
        "pages": 5,
        "price": Decimal("4.00"),
        "available": True,
        "metadata": {"n": 5},
    },
    {
        "title": "Title 0006",
        "isbn": "Isbn 0006",
        "genre": "science",
        "pages": 6,
        "price": Decimal("5.00"),
        "available": False,
        "metadata": {"n": 6},
    },
)


async def create_book(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A book: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**BOOK_SAMPLES[sample or 0]}
    if sample is None:
        row.update({"isbn": f"isbn-{next(SERIAL):07d}"[:255]})
    row.update(values)
    if "author_id" not in row:
        row["author_id"] = (await create_author(db, owner))["id"]
    created = await book_repo.insert_book(db, row)
    await db.commit()
    return created


LOAN_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "due_on": date(2024, 1, 1),
        "returned_at": datetime(2024, 1, 1, 0, tzinfo=UTC),
        "reference": uuid.UUID("00000000-0000-4000-8000-000000000001"),
        "contact_email": "user0001@example.com",
    },
    {
        "due_on": date(2024, 1, 2),
        "returned_at": datetime(2024, 1, 1, 1, tzinfo=UTC),
        "reference": uuid.UUID("00000000-0000-4000-8000-000000000002"),
        "contact_email": "user0002@example.com",
    },
    {
        "due_on": date(2024, 1, 3),
        "returned_at": datetime(2024, 1, 1, 2, tzinfo=UTC),
        "reference": uuid.UUID("00000000-0000-4000-8000-000000000003"),
        "contact_email": "user0003@example.com",
    },
    {
        "due_on": date(2024, 1, 4),
        "returned_at": datetime(2024, 1, 1, 3, tzinfo=UTC),
        "reference": uuid.UUID("00000000-0000-4000-8000-000000000004"),
        "contact_email": "user0004@example.com",
    },
    {
        "due_on": date(2024, 1, 5),
        "returned_at": datetime(2024, 1, 1, 4, tzinfo=UTC),
        "reference": uuid.UUID("00000000-0000-4000-8000-000000000005"),
        "contact_email": "user0005@example.com",
    },
    {
        "due_on": date(2024, 1, 6),
        "returned_at": datetime(2024, 1, 1, 5, tzinfo=UTC),
        "reference": uuid.UUID("00000000-0000-4000-8000-000000000006"),
        "contact_email": "user0006@example.com",
    },
)


async def create_loan(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A loan: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**LOAN_SAMPLES[sample or 0]}
    row.update(values)
    if "book_id" not in row:
        row["book_id"] = (await create_book(db, owner))["id"]
    row.setdefault("owner_id", owner.id)
    created = await loan_repo.insert_loan(db, row)
    await db.commit()
    return created
