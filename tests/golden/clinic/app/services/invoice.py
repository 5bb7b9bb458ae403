"""Rules of invoices: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import AppError, NotFoundError, PreconditionFailed
from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule, access, authorize
from app.repositories import invoice as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.invoice import InvoiceCreate, InvoiceQuery, InvoiceUpdate
from app.services import appointment as appointment_service
from app.services import audit
from app.services.common import Visibility, check_references, checked_version, missing
from app.services.idempotency import remember, replayed

RULES = {
    "list": Rule("roles", frozenset({"admin", "receptionist"})),
    "read": Rule("roles", frozenset({"admin", "doctor", "receptionist"})),
    "create": Rule("roles", frozenset({"admin", "receptionist"})),
    "update": Rule("roles", frozenset({"admin", "receptionist"})),
    "delete": Rule("roles", frozenset({"admin"})),
}
NOT_FOUND = "Invoice not found."
ENTITY = "invoices"  # what the audit log calls these rows


async def is_visible(db: AsyncConnection, user: AuthUser | None, invoice_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the invoice: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    return decision.allowed and await repo.invoice_exists(db, invoice_id)


async def list_invoices(
    db: AsyncConnection, user: AuthUser | None, query: InvoiceQuery
) -> tuple[list[Row], int]:
    """A page of the invoices the caller may list, and their total."""
    authorize(RULES["list"], user)
    return await repo.list_invoices(
        db,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
    )


async def get_invoice(db: AsyncConnection, user: AuthUser | None, invoice_id: uuid.UUID) -> Row:
    """One invoice; 404 when it does not exist or the caller may not see it."""
    authorize(RULES["read"], user)
    row = await repo.get_invoice(db, invoice_id)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


async def create_invoice(
    db: AsyncConnection,
    user: AuthUser | None,
    data: InvoiceCreate,
    idempotent: IdempotentRequest | None = None,
) -> Created:
    """Create an invoice, or answer a retry with the first response."""
    authorize(RULES["create"], user)
    if (earlier := await replayed(db, idempotent)) is not None:
        return earlier
    values = data.model_dump()
    await _check_references(db, user, values)
    return await _insert(db, user, values, idempotent)


async def replace_invoice(
    db: AsyncConnection,
    user: AuthUser | None,
    invoice_id: uuid.UUID,
    data: InvoiceCreate,
    if_match: str | None = None,
) -> Row:
    """Replace every writable field of an invoice (of the version If-Match names, if any)."""
    return await _update(db, user, invoice_id, data.model_dump(), if_match, "replace")


async def update_invoice(
    db: AsyncConnection,
    user: AuthUser | None,
    invoice_id: uuid.UUID,
    data: InvoiceUpdate,
    if_match: str | None = None,
) -> Row:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return await _update(
        db, user, invoice_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


async def delete_invoice(
    db: AsyncConnection, user: AuthUser | None, invoice_id: uuid.UUID, if_match: str | None = None
) -> None:
    """Delete an invoice."""
    authorize(RULES["delete"], user)
    seen = await _version(db, user, invoice_id, if_match)
    if not await repo.delete_invoice(db, invoice_id, seen=seen):
        raise await _missed(db, user, invoice_id, seen)
    await audit.record(db, user, "delete", ENTITY, invoice_id)
    await db.commit()


async def _insert(
    db: AsyncConnection,
    user: AuthUser | None,
    values: dict[str, Any],
    idempotent: IdempotentRequest | None,
) -> Created:
    # The row, its audit entry and the stored response commit together, or not at all.
    row = await repo.insert_invoice(db, values)
    await audit.record(db, user, "create", ENTITY, row["id"])
    result = Created(row, location=f"/api/v1/invoices/{row['id']}")
    await remember(db, idempotent, result)
    await db.commit()
    return result


async def _update(
    db: AsyncConnection,
    user: AuthUser | None,
    invoice_id: uuid.UUID,
    values: dict[str, Any],
    if_match: str | None,
    action: audit.Action,
) -> Row:
    authorize(RULES["update"], user)
    await _check_references(db, user, values)
    seen = await _version(db, user, invoice_id, if_match)
    row = await repo.update_invoice(db, invoice_id, values, seen=seen)
    if row is None:
        raise await _missed(db, user, invoice_id, seen)
    await audit.record(db, user, action, ENTITY, invoice_id, {"fields": sorted(values)})
    await db.commit()
    return row


async def _version(
    db: AsyncConnection,
    user: AuthUser | None,
    invoice_id: uuid.UUID,
    if_match: str | None,
) -> datetime | None:
    """The version (``updated_at``) a conditional write must still find, or ``None``.

    ``If-Match: *`` asks only that the row exist, which every write checks anyway. The
    row is read from the database, never from the cache: the compare-and-set needs the
    version that is current now.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    current = await repo.get_invoice(db, invoice_id)
    if current is None:
        raise missing(await is_visible(db, user, invoice_id), NOT_FOUND)
    return checked_version(if_match, current)


async def _missed(
    db: AsyncConnection, user: AuthUser | None, invoice_id: uuid.UUID, seen: datetime | None
) -> AppError:
    # The write matched no row. A conditional one found the row a moment ago, so it
    # changed in between: 412. Otherwise it is not the caller's (403) or not there (404).
    if seen is not None:
        return PreconditionFailed()
    return missing(await is_visible(db, user, invoice_id), NOT_FOUND)


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "appointment_id": ("appointment", appointment_service.is_visible),
    }
    await check_references(db, user, values, references)
