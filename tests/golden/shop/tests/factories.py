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
from app.repositories import customer as customer_repo
from app.repositories import order as order_repo
from app.repositories import order_item as order_item_repo
from app.repositories import product as product_repo
from app.repositories import review as review_repo
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


CUSTOMER_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "name": "Name 0001",
        "phone": "Phone 0001",
        "credit_limit": Decimal("0.00"),
        "support_note": "Support note 0001",
    },
    {
        "name": "Name 0002",
        "phone": "Phone 0002",
        "credit_limit": Decimal("1.00"),
        "support_note": "Support note 0002",
    },
    {
        "name": "Name 0003",
        "phone": "Phone 0003",
        "credit_limit": Decimal("2.00"),
        "support_note": "Support note 0003",
    },
    {
        "name": "Name 0004",
        "phone": "Phone 0004",
        "credit_limit": Decimal("3.00"),
        "support_note": "Support note 0004",
    },
    {
        "name": "Name 0005",
        "phone": "Phone 0005",
        "credit_limit": Decimal("4.00"),
        "support_note": "Support note 0005",
    },
    {
        "name": "Name 0006",
        "phone": "Phone 0006",
        "credit_limit": Decimal("5.00"),
        "support_note": "Support note 0006",
    },
)


async def create_customer(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A customer: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**CUSTOMER_SAMPLES[sample or 0]}
    row.update(values)
    row.setdefault("owner_id", owner.id)
    created = await customer_repo.insert_customer(db, row)
    await db.commit()
    return created


PRODUCT_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "sku": "Sku 0001",
        "name": "Name 0001",
        "description": "Description 0001",
        "price": Decimal("1.00"),
        "sale_price": Decimal("0.00"),
        "stock": 0,
        "active": True,
    },
    {
        "sku": "Sku 0002",
        "name": "Name 0002",
        "description": "Description 0002",
        "price": Decimal("2.00"),
        "sale_price": Decimal("1.00"),
        "stock": 1,
        "active": False,
    },
    {
        "sku": "Sku 0003",
        "name": "Name 0003",
        "description": "Description 0003",
        "price": Decimal("3.00"),
        "sale_price": Decimal("2.00"),
        "stock": 2,
        "active": True,
    },
    {
        "sku": "Sku 0004",
        "name": "Name 0004",
        "description": "Description 0004",
        "price": Decimal("4.00"),
        "sale_price": Decimal("3.00"),
        "stock": 3,
        "active": False,
    },
    {
        "sku": "Sku 0005",
        "name": "Name 0005",
        "description": "Description 0005",
        "price": Decimal("5.00"),
        "sale_price": Decimal("4.00"),
        "stock": 4,
        "active": True,
    },
    {
        "sku": "Sku 0006",
        "name": "Name 0006",
        "description": "Description 0006",
        "price": Decimal("6.00"),
        "sale_price": Decimal("5.00"),
        "stock": 5,
        "active": False,
    },
)


async def create_product(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A product: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**PRODUCT_SAMPLES[sample or 0]}
    if sample is None:
        row.update({"sku": f"sku-{next(SERIAL):07d}"[:255]})
    row.update(values)
    created = await product_repo.insert_product(db, row)
    await db.commit()
    return created


ORDER_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "reference": "Reference 0001",
        "placed_at": datetime(2024, 1, 1, 0, tzinfo=UTC),
        "paid_at": datetime(2024, 1, 1, 0, tzinfo=UTC),
        "shipped_on": date(2024, 1, 1),
        "note": "Note 0001",
    },
    {
        "reference": "Reference 0002",
        "placed_at": datetime(2024, 1, 1, 1, tzinfo=UTC),
        "paid_at": datetime(2024, 1, 1, 1, tzinfo=UTC),
        "shipped_on": date(2024, 1, 2),
        "note": "Note 0002",
    },
    {
        "reference": "Reference 0003",
        "placed_at": datetime(2024, 1, 1, 2, tzinfo=UTC),
        "paid_at": datetime(2024, 1, 1, 2, tzinfo=UTC),
        "shipped_on": date(2024, 1, 3),
        "note": "Note 0003",
    },
    {
        "reference": "Reference 0004",
        "placed_at": datetime(2024, 1, 1, 3, tzinfo=UTC),
        "paid_at": datetime(2024, 1, 1, 3, tzinfo=UTC),
        "shipped_on": date(2024, 1, 4),
        "note": "Note 0004",
    },
    {
        "reference": "Reference 0005",
        "placed_at": datetime(2024, 1, 1, 4, tzinfo=UTC),
        "paid_at": datetime(2024, 1, 1, 4, tzinfo=UTC),
        "shipped_on": date(2024, 1, 5),
        "note": "Note 0005",
    },
    {
        "reference": "Reference 0006",
        "placed_at": datetime(2024, 1, 1, 5, tzinfo=UTC),
        "paid_at": datetime(2024, 1, 1, 5, tzinfo=UTC),
        "shipped_on": date(2024, 1, 6),
        "note": "Note 0006",
    },
)


async def create_order(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """An order: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**ORDER_SAMPLES[sample or 0]}
    if sample is None:
        row.update({"reference": f"reference-{next(SERIAL):07d}"[:255]})
    row.update(values)
    if "customer_id" not in row:
        row["customer_id"] = (await create_customer(db, owner))["id"]
    row.setdefault("owner_id", owner.id)
    created = await order_repo.insert_order(db, row)
    await db.commit()
    return created


ORDER_ITEM_SAMPLES: tuple[dict[str, Any], ...] = (
    {"quantity": 1, "unit_price": Decimal("0.00")},
    {"quantity": 2, "unit_price": Decimal("1.00")},
    {"quantity": 3, "unit_price": Decimal("2.00")},
    {"quantity": 4, "unit_price": Decimal("3.00")},
    {"quantity": 5, "unit_price": Decimal("4.00")},
    {"quantity": 6, "unit_price": Decimal("5.00")},
)


async def create_order_item(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """An order item: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**ORDER_ITEM_SAMPLES[sample or 0]}
    row.update(values)
    if "order_id" not in row:
        row["order_id"] = (await create_order(db, owner))["id"]
    if "product_id" not in row:
        row["product_id"] = (await create_product(db, owner))["id"]
    created = await order_item_repo.insert_order_item(db, row)
    await db.commit()
    return created


REVIEW_SAMPLES: tuple[dict[str, Any], ...] = (
    {"rating": 1, "title": "Title 0001", "body": "Body 0001"},
    {"rating": 2, "title": "Title 0002", "body": "Body 0002"},
    {"rating": 3, "title": "Title 0003", "body": "Body 0003"},
    {"rating": 4, "title": "Title 0004", "body": "Body 0004"},
    {"rating": 5, "title": "Title 0005", "body": "Body 0005"},
    {"rating": 1, "title": "Title 0006", "body": "Body 0006"},
)


async def create_review(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A review: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**REVIEW_SAMPLES[sample or 0]}
    row.update(values)
    if "product_id" not in row:
        row["product_id"] = (await create_product(db, owner))["id"]
    row.setdefault("owner_id", owner.id)
    created = await review_repo.insert_review(db, row)
    await db.commit()
    return created
