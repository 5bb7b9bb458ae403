"""Rules of invoices: who may do what, and what is theirs alone.

Invoices are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import invoice as domain_hooks
from app.repositories import invoice as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.invoice import InvoiceCreate, InvoiceQuery, InvoiceUpdate
from app.services import appointment as appointment_service
from app.services.base import EntityService, Listing
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("roles", frozenset({"admin", "receptionist"})),
    "read": Rule("roles", frozenset({"admin", "doctor", "receptionist"})),
    "create": Rule("roles", frozenset({"admin", "receptionist"})),
    "update": Rule("roles", frozenset({"admin", "receptionist"})),
    "delete": Rule("roles", frozenset({"admin"})),
}
NOT_FOUND = "Invoice not found."
ENTITY = "invoices"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "appointment_id": ("appointment", appointment_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/invoices/{row['id']}",
    get_row=repo.get_invoice,
    row_exists=repo.invoice_exists,
    list_rows=repo.list_invoices,
    insert_row=repo.insert_invoice,
    update_row=repo.update_invoice,
    delete_row=repo.delete_invoice,
    hooks=domain_hooks,
    check=_check_references,
)


# Whether a caller may see an invoice: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_invoices(
    db: AsyncConnection, user: AuthUser | None, query: InvoiceQuery
) -> Awaitable[Listing]:
    """A page of the invoices the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_invoice(
    db: AsyncConnection, user: AuthUser | None, invoice_id: uuid.UUID
) -> Awaitable[Row]:
    """One invoice; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, invoice_id)


def create_invoice(
    db: AsyncConnection,
    user: AuthUser | None,
    data: InvoiceCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create an invoice, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def replace_invoice(
    db: AsyncConnection,
    user: AuthUser | None,
    invoice_id: uuid.UUID,
    data: InvoiceCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of an invoice (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, invoice_id, data.model_dump(), if_match, "replace")


def update_invoice(
    db: AsyncConnection,
    user: AuthUser | None,
    invoice_id: uuid.UUID,
    data: InvoiceUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, invoice_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_invoice(
    db: AsyncConnection, user: AuthUser | None, invoice_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete an invoice."""
    return SERVICE.delete(db, user, invoice_id, if_match)
