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
from app.repositories import bookmark as bookmark_repo
from app.repositories import comment as comment_repo
from app.repositories import post as post_repo
from app.repositories import tag as tag_repo
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


POST_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "title": "Title 0001",
        "body": "Body 0001",
        "status": "draft",
        "published_at": datetime(2024, 1, 1, 0, tzinfo=UTC),
    },
    {
        "title": "Title 0002",
        "body": "Body 0002",
        "status": "published",
        "published_at": datetime(2024, 1, 1, 1, tzinfo=UTC),
    },
    {
        "title": "Title 0003",
        "body": "Body 0003",
        "status": "draft",
        "published_at": datetime(2024, 1, 1, 2, tzinfo=UTC),
    },
    {
        "title": "Title 0004",
        "body": "Body 0004",
        "status": "published",
        "published_at": datetime(2024, 1, 1, 3, tzinfo=UTC),
    },
    {
        "title": "Title 0005",
        "body": "Body 0005",
        "status": "draft",
        "published_at": datetime(2024, 1, 1, 4, tzinfo=UTC),
    },
    {
        "title": "Title 0006",
        "body": "Body 0006",
        "status": "published",
        "published_at": datetime(2024, 1, 1, 5, tzinfo=UTC),
    },
)


async def create_post(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A post: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**POST_SAMPLES[sample or 0]}
    row.update(values)
    row.setdefault("owner_id", owner.id)
    created = await post_repo.insert_post(db, row)
    await db.commit()
    return created


COMMENT_SAMPLES: tuple[dict[str, Any], ...] = (
    {"body": "Body 0001"},
    {"body": "Body 0002"},
    {"body": "Body 0003"},
    {"body": "Body 0004"},
    {"body": "Body 0005"},
    {"body": "Body 0006"},
)


async def create_comment(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A comment: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**COMMENT_SAMPLES[sample or 0]}
    row.update(values)
    if "post_id" not in row:
        row["post_id"] = (await create_post(db, owner))["id"]
    row.setdefault("owner_id", owner.id)
    created = await comment_repo.insert_comment(db, row)
    await db.commit()
    return created


TAG_SAMPLES: tuple[dict[str, Any], ...] = (
    {"name": "Name 0001"},
    {"name": "Name 0002"},
    {"name": "Name 0003"},
    {"name": "Name 0004"},
    {"name": "Name 0005"},
    {"name": "Name 0006"},
)


async def create_tag(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A tag: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**TAG_SAMPLES[sample or 0]}
    if sample is None:
        row.update({"name": f"name-{next(SERIAL):07d}"[:50]})
    row.update(values)
    created = await tag_repo.insert_tag(db, row)
    await db.commit()
    return created


BOOKMARK_SAMPLES: tuple[dict[str, Any], ...] = (
    {"note": "Note 0001"},
    {"note": "Note 0002"},
    {"note": "Note 0003"},
    {"note": "Note 0004"},
    {"note": "Note 0005"},
    {"note": "Note 0006"},
)


async def create_bookmark(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A bookmark: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**BOOKMARK_SAMPLES[sample or 0]}
    row.update(values)
    if "post_id" not in row:
        row["post_id"] = (await create_post(db, owner))["id"]
    row.setdefault("owner_id", owner.id)
    created = await bookmark_repo.insert_bookmark(db, row)
    await db.commit()
    return created
