"""Rules of accounts: who may do what, and what is theirs alone.

Accounts are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository, cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import account as domain_hooks
from app.repositories import account as repo
from app.repositories.base import Row
from app.schemas.account import AccountCreate, AccountQuery, AccountUpdate
from app.schemas.auth import AuthUser
from app.services.base import EntityService, Listing

RULES = {
    "list": Rule("authenticated"),
    "read": Rule("authenticated"),
    "create": Rule("roles", frozenset({"lead"})),
    "update": Rule("roles", frozenset({"lead"})),
    "delete": Rule("roles", frozenset({"lead"})),
}
NOT_FOUND = "Account not found."
ENTITY = "accounts"  # what the audit log calls these rows


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/accounts/{row['id']}",
    get_row=repo.get_account,
    row_exists=repo.account_exists,
    list_rows=repo.list_accounts,
    insert_row=repo.insert_account,
    update_row=repo.update_account,
    delete_row=repo.delete_account,
    hooks=domain_hooks,
    stale_on_delete=("labels",),
)


# Whether a caller may see an account: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_accounts(
    db: AsyncConnection, user: AuthUser | None, query: AccountQuery
) -> Awaitable[Listing]:
    """A page of the accounts the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_account(
    db: AsyncConnection, user: AuthUser | None, account_id: uuid.UUID
) -> Awaitable[Row]:
    """One account; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, account_id)


def create_account(
    db: AsyncConnection,
    user: AuthUser | None,
    data: AccountCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create an account, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def replace_account(
    db: AsyncConnection,
    user: AuthUser | None,
    account_id: uuid.UUID,
    data: AccountCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of an account (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, account_id, data.model_dump(), if_match, "replace")


def update_account(
    db: AsyncConnection,
    user: AuthUser | None,
    account_id: uuid.UUID,
    data: AccountUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, account_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_account(
    db: AsyncConnection, user: AuthUser | None, account_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete an account."""
    return SERVICE.delete(db, user, account_id, if_match)
