"""Rows for tests, written through the repositories: no HTTP, no password hashing.

``SAMPLES`` hold three rows per resource whose values increase from one row to the
next, so tests know in advance how paging, sorting and filtering order them.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.config import Settings
from app.core.security import create_access_token
from app.repositories import category as category_repo
from app.repositories import item as item_repo
from app.repositories import location as location_repo
from app.repositories import movement as movement_repo
from app.repositories import stock as stock_repo
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


CATEGORY_SAMPLES: tuple[dict[str, Any], ...] = (
    {"name": "Name 0001", "code": "Code 0001"},
    {"name": "Name 0002", "code": "Code 0002"},
    {"name": "Name 0003", "code": "Code 0003"},
    {"name": "Name 0004", "code": "Code 0004"},
    {"name": "Name 0005", "code": "Code 0005"},
    {"name": "Name 0006", "code": "Code 0006"},
)


async def create_category(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A category: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**CATEGORY_SAMPLES[sample or 0]}
    if sample is None:
        row.update({"code": f"code-{next(SERIAL):07d}"[:255]})
    row.update(values)
    created = await category_repo.insert_category(db, row)
    await db.commit()
    return created


ITEM_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "sku": "Sku 0001",
        "name": "Name 0001",
        "unit": "piece",
        "weight": Decimal("0.000"),
        "barcode": "Barcode 0001",
        "class": "a",
    },
    {
        "sku": "Sku 0002",
        "name": "Name 0002",
        "unit": "kg",
        "weight": Decimal("1.000"),
        "barcode": "Barcode 0002",
        "class": "b",
    },
    {
        "sku": "Sku 0003",
        "name": "Name 0003",
        "unit": "litre",
        "weight": Decimal("2.000"),
        "barcode": "Barcode 0003",
        "class": "c",
    },
    {
        "sku": "Sku 0004",
        "name": "Name 0004",
        "unit": "metre",
        "weight": Decimal("3.000"),
        "barcode": "Barcode 0004",
        "class": "a",
    },
    {
        "sku": "Sku 0005",
        "name": "Name 0005",
        "unit": "piece",
        "weight": Decimal("4.000"),
        "barcode": "Barcode 0005",
        "class": "b",
    },
    {
        "sku": "Sku 0006",
        "name": "Name 0006",
        "unit": "kg",
        "weight": Decimal("5.000"),
        "barcode": "Barcode 0006",
        "class": "c",
    },
)


async def create_item(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """An item: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**ITEM_SAMPLES[sample or 0]}
    if sample is None:
        row.update(
            {"sku": f"sku-{next(SERIAL):07d}"[:255], "barcode": f"barcode-{next(SERIAL):07d}"[:255]}
        )
    row.update(values)
    created = await item_repo.insert_item(db, row)
    await db.commit()
    return created


LOCATION_SAMPLES: tuple[dict[str, Any], ...] = (
    {"code": "Code 0001", "limit": Decimal("0.000"), "active": True},
    {"code": "Code 0002", "limit": Decimal("1.000"), "active": False},
    {"code": "Code 0003", "limit": Decimal("2.000"), "active": True},
    {"code": "Code 0004", "limit": Decimal("3.000"), "active": False},
    {"code": "Code 0005", "limit": Decimal("4.000"), "active": True},
    {"code": "Code 0006", "limit": Decimal("5.000"), "active": False},
)


async def create_location(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A location: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**LOCATION_SAMPLES[sample or 0]}
    if sample is None:
        row.update({"code": f"code-{next(SERIAL):07d}"[:255]})
    row.update(values)
    created = await location_repo.insert_location(db, row)
    await db.commit()
    return created


STOCK_SAMPLES: tuple[dict[str, Any], ...] = (
    {"quantity": Decimal("0.000"), "counted_on": date(2024, 1, 1)},
    {"quantity": Decimal("1.000"), "counted_on": date(2024, 1, 2)},
    {"quantity": Decimal("2.000"), "counted_on": date(2024, 1, 3)},
    {"quantity": Decimal("3.000"), "counted_on": date(2024, 1, 4)},
    {"quantity": Decimal("4.000"), "counted_on": date(2024, 1, 5)},
    {"quantity": Decimal("5.000"), "counted_on": date(2024, 1, 6)},
)


async def create_stock(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A stock: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**STOCK_SAMPLES[sample or 0]}
    row.update(values)
    if "item_id" not in row:
        row["item_id"] = (await create_item(db, owner))["id"]
    if "location_id" not in row:
        row["location_id"] = (await create_location(db, owner))["id"]
    created = await stock_repo.insert_stock(db, row)
    await db.commit()
    return created


MOVEMENT_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "quantity": Decimal("0.000"),
        "direction": "in",
        "reference": uuid.UUID("00000000-0000-4000-8000-000000000001"),
    },
    {
        "quantity": Decimal("1.000"),
        "direction": "out",
        "reference": uuid.UUID("00000000-0000-4000-8000-000000000002"),
    },
    {
        "quantity": Decimal("2.000"),
        "direction": "in",
        "reference": uuid.UUID("00000000-0000-4000-8000-000000000003"),
    },
    {
        "quantity": Decimal("3.000"),
        "direction": "out",
        "reference": uuid.UUID("00000000-0000-4000-8000-000000000004"),
    },
    {
        "quantity": Decimal("4.000"),
        "direction": "in",
        "reference": uuid.UUID("00000000-0000-4000-8000-000000000005"),
    },
    {
        "quantity": Decimal("5.000"),
        "direction": "out",
        "reference": uuid.UUID("00000000-0000-4000-8000-000000000006"),
    },
)


async def create_movement(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A movement: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**MOVEMENT_SAMPLES[sample or 0]}
    row.update(values)
    if "item_id" not in row:
        row["item_id"] = (await create_item(db, owner))["id"]
    row.setdefault("owner_id", owner.id)
    created = await movement_repo.insert_movement(db, row)
    await db.commit()
    return created
