"""Rules of loans: who may do what, and what is theirs alone.

Loans are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references, cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import loan as domain_hooks
from app.repositories import loan as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.loan import LoanCreate, LoanQuery, LoanUpdate
from app.services import book as book_service
from app.services.base import EntityService, Listing
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("owner_or_roles", frozenset({"librarian"})),
    "read": Rule("owner_or_roles", frozenset({"librarian"})),
    "create": Rule("authenticated"),
    "update": Rule("owner_or_roles", frozenset({"librarian"})),
    "delete": Rule("roles", frozenset({"librarian"})),
}
NOT_FOUND = "Loan not found."
ENTITY = "loans"  # what the audit log calls these rows
TTL = 60  # seconds a cached loan or page of loans may be served


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "book_id": ("book", book_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/loans/{row['id']}",
    get_row=repo.get_loan,
    row_exists=repo.loan_exists,
    list_rows=repo.list_loans,
    rows_by_id=repo.loans_by_id,
    realtime=True,
    insert_row=repo.insert_loan,
    update_row=repo.update_loan,
    delete_row=repo.delete_loan,
    hooks=domain_hooks,
    check=_check_references,
    ttl=TTL,
    stale_on_write=("loans",),
    stale_on_delete=("loans",),
)


# Whether a caller may see a loan: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible
visible_ids = SERVICE.visible_ids


def list_loans(db: AsyncConnection, user: AuthUser | None, query: LoanQuery) -> Awaitable[Listing]:
    """A page of the loans the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_loan(db: AsyncConnection, user: AuthUser | None, loan_id: uuid.UUID) -> Awaitable[Row]:
    """One loan; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, loan_id)


def create_loan(
    db: AsyncConnection,
    user: AuthUser,
    data: LoanCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a loan owned by the caller, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent, owner_id=user.id)


def replace_loan(
    db: AsyncConnection,
    user: AuthUser | None,
    loan_id: uuid.UUID,
    data: LoanCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a loan (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, loan_id, data.model_dump(), if_match, "replace")


def update_loan(
    db: AsyncConnection,
    user: AuthUser | None,
    loan_id: uuid.UUID,
    data: LoanUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, loan_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_loan(
    db: AsyncConnection, user: AuthUser | None, loan_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a loan."""
    return SERVICE.delete(db, user, loan_id, if_match)
