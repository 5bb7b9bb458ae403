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
from app.repositories import appointment as appointment_repo
from app.repositories import doctor as doctor_repo
from app.repositories import invoice as invoice_repo
from app.repositories import patient as patient_repo
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


DOCTOR_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "name": "Name 0001",
        "specialty": "general",
        "licence": "Licence 0001",
        "fee": Decimal("0.00"),
        "accepting": True,
    },
    {
        "name": "Name 0002",
        "specialty": "cardiology",
        "licence": "Licence 0002",
        "fee": Decimal("1.00"),
        "accepting": False,
    },
    {
        "name": "Name 0003",
        "specialty": "pediatrics",
        "licence": "Licence 0003",
        "fee": Decimal("2.00"),
        "accepting": True,
    },
    {
        "name": "Name 0004",
        "specialty": "dermatology",
        "licence": "Licence 0004",
        "fee": Decimal("3.00"),
        "accepting": False,
    },
    {
        "name": "Name 0005",
        "specialty": "general",
        "licence": "Licence 0005",
        "fee": Decimal("4.00"),
        "accepting": True,
    },
    {
        "name": "Name 0006",
        "specialty": "cardiology",
        "licence": "Licence 0006",
        "fee": Decimal("5.00"),
        "accepting": False,
    },
)


async def create_doctor(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A doctor: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**DOCTOR_SAMPLES[sample or 0]}
    if sample is None:
        row.update({"licence": f"licence-{next(SERIAL):07d}"[:255]})
    row.update(values)
    created = await doctor_repo.insert_doctor(db, row)
    await db.commit()
    return created


PATIENT_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "full_name": "Full name 0001",
        "date": date(2024, 1, 1),
        "email": "user0001@example.com",
        "notes": "Notes 0001",
    },
    {
        "full_name": "Full name 0002",
        "date": date(2024, 1, 2),
        "email": "user0002@example.com",
        "notes": "Notes 0002",
    },
    {
        "full_name": "Full name 0003",
        "date": date(2024, 1, 3),
        "email": "user0003@example.com",
        "notes": "Notes 0003",
    },
    {
        "full_name": "Full name 0004",
        "date": date(2024, 1, 4),
        "email": "user0004@example.com",
        "notes": "Notes 0004",
    },
    {
        "full_name": "Full name 0005",
        "date": date(2024, 1, 5),
        "email": "user0005@example.com",
        "notes": "Notes 0005",
    },
    {
        "full_name": "Full name 0006",
        "date": date(2024, 1, 6),
        "email": "user0006@example.com",
        "notes": "Notes 0006",
    },
)


async def create_patient(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """A patient: sample ``sample``, or by default a fresh copy of sample 0."""
    row: dict[str, Any] = {**PATIENT_SAMPLES[sample or 0]}
    row.update(values)
    row.setdefault("owner_id", owner.id)
    created = await patient_repo.insert_patient(db, row)
    await db.commit()
    return created


APPOINTMENT_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "from": date(2024, 1, 1),
        "to": date(2024, 1, 1),
        "type": "consultation",
        "status": "booked",
        "reason": "Reason 0001",
    },
    {
        "from": date(2024, 1, 2),
        "to": date(2024, 1, 2),
        "type": "follow_up",
        "status": "attended",
        "reason": "Reason 0002",
    },
    {
        "from": date(2024, 1, 3),
        "to": date(2024, 1, 3),
        "type": "surgery",
        "status": "cancelled",
        "reason": "Reason 0003",
    },
    {
        "from": date(2024, 1, 4),
        "to": date(2024, 1, 4),
        "type": "telehealth",
        "status": "no_show",
        "reason": "Reason 0004",
    },
    {
        "from": date(2024, 1, 5),
        "to": date(2024, 1, 5),
        "type": "consultation",
        "status": "booked",
        "reason": "Reason 0005",
    },
    {
        "from": date(2024, 1, 6),
        "to": date(2024, 1, 6),
        "type": "follow_up",
        "status": "attended",
        "reason": "Reason 0006",
    },
)


async def create_appointment(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """An appointment: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**APPOINTMENT_SAMPLES[sample or 0]}
    row.update(values)
    if "patient_id" not in row:
        row["patient_id"] = (await create_patient(db, owner))["id"]
    if "doctor_id" not in row:
        row["doctor_id"] = (await create_doctor(db, owner))["id"]
    row.setdefault("owner_id", owner.id)
    created = await appointment_repo.insert_appointment(db, row)
    await db.commit()
    return created


INVOICE_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "number": "Number 0001",
        "amount": Decimal("0.00"),
        "tax_rate": Decimal("0.0000"),
        "issued_on": date(2024, 1, 1),
        "paid": False,
    },
    {
        "number": "Number 0002",
        "amount": Decimal("1.00"),
        "tax_rate": Decimal("0.0001"),
        "issued_on": date(2024, 1, 2),
        "paid": True,
    },
    {
        "number": "Number 0003",
        "amount": Decimal("2.00"),
        "tax_rate": Decimal("0.0002"),
        "issued_on": date(2024, 1, 3),
        "paid": False,
    },
    {
        "number": "Number 0004",
        "amount": Decimal("3.00"),
        "tax_rate": Decimal("0.0003"),
        "issued_on": date(2024, 1, 4),
        "paid": True,
    },
    {
        "number": "Number 0005",
        "amount": Decimal("4.00"),
        "tax_rate": Decimal("0.0004"),
        "issued_on": date(2024, 1, 5),
        "paid": False,
    },
    {
        "number": "Number 0006",
        "amount": Decimal("5.00"),
        "tax_rate": Decimal("0.0005"),
        "issued_on": date(2024, 1, 6),
        "paid": True,
    },
)


async def create_invoice(
    db: AsyncConnection, owner: Account, sample: int | None = None, /, **values: Any
) -> Row:
    """An invoice: sample ``sample``, or by default a fresh copy of sample 0.
    Parent rows are created unless their keys are given."""
    row: dict[str, Any] = {**INVOICE_SAMPLES[sample or 0]}
    if sample is None:
        row.update({"number": f"number-{next(SERIAL):07d}"[:255]})
    row.update(values)
    if "appointment_id" not in row:
        row["appointment_id"] = (await create_appointment(db, owner))["id"]
    created = await invoice_repo.insert_invoice(db, row)
    await db.commit()
    return created
