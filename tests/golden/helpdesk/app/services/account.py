"""Rules of accounts: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import cache
from app.core.errors import AppError, NotFoundError, PreconditionFailed
from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule, access, authorize
from app.repositories import account as repo
from app.repositories.base import Row
from app.schemas.account import AccountCreate, AccountQuery, AccountUpdate
from app.schemas.auth import AuthUser
from app.services import audit
from app.services.common import checked_version, missing
from app.services.idempotency import remember, replayed

RULES = {
    "list": Rule("authenticated"),
    "read": Rule("authenticated"),
    "create": Rule("roles", frozenset({"lead"})),
    "update": Rule("roles", frozenset({"lead"})),
    "delete": Rule("roles", frozenset({"lead"})),
}
NOT_FOUND = "Account not found."
ENTITY = "accounts"  # what the audit log calls these rows


async def is_visible(db: AsyncConnection, user: AuthUser | None, account_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the account: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    return decision.allowed and await repo.account_exists(db, account_id)


async def list_accounts(
    db: AsyncConnection, user: AuthUser | None, query: AccountQuery
) -> tuple[list[Row], int]:
    """A page of the accounts the caller may list, and their total."""
    authorize(RULES["list"], user)
    return await repo.list_accounts(
        db,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
    )


async def get_account(db: AsyncConnection, user: AuthUser | None, account_id: uuid.UUID) -> Row:
    """One account; 404 when it does not exist or the caller may not see it."""
    authorize(RULES["read"], user)
    row = await repo.get_account(db, account_id)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


async def create_account(
    db: AsyncConnection,
    user: AuthUser | None,
    data: AccountCreate,
    idempotent: IdempotentRequest | None = None,
) -> Created:
    """Create an account, or answer a retry with the first response."""
    authorize(RULES["create"], user)
    if (earlier := await replayed(db, idempotent)) is not None:
        return earlier
    values = data.model_dump()
    return await _insert(db, user, values, idempotent)


async def replace_account(
    db: AsyncConnection,
    user: AuthUser | None,
    account_id: uuid.UUID,
    data: AccountCreate,
    if_match: str | None = None,
) -> Row:
    """Replace every writable field of an account (of the version If-Match names, if any)."""
    return await _update(db, user, account_id, data.model_dump(), if_match, "replace")


async def update_account(
    db: AsyncConnection,
    user: AuthUser | None,
    account_id: uuid.UUID,
    data: AccountUpdate,
    if_match: str | None = None,
) -> Row:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return await _update(
        db, user, account_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


async def delete_account(
    db: AsyncConnection, user: AuthUser | None, account_id: uuid.UUID, if_match: str | None = None
) -> None:
    """Delete an account."""
    authorize(RULES["delete"], user)
    seen = await _version(db, user, account_id, if_match)
    if not await repo.delete_account(db, account_id, seen=seen):
        raise await _missed(db, user, account_id, seen)
    await audit.record(db, user, "delete", ENTITY, account_id)
    await db.commit()
    await cache.current().invalidate("labels")


async def _insert(
    db: AsyncConnection,
    user: AuthUser | None,
    values: dict[str, Any],
    idempotent: IdempotentRequest | None,
) -> Created:
    # The row, its audit entry and the stored response commit together, or not at all.
    row = await repo.insert_account(db, values)
    await audit.record(db, user, "create", ENTITY, row["id"])
    result = Created(row, location=f"/api/v1/accounts/{row['id']}")
    await remember(db, idempotent, result)
    await db.commit()
    return result


async def _update(
    db: AsyncConnection,
    user: AuthUser | None,
    account_id: uuid.UUID,
    values: dict[str, Any],
    if_match: str | None,
    action: audit.Action,
) -> Row:
    authorize(RULES["update"], user)
    seen = await _version(db, user, account_id, if_match)
    row = await repo.update_account(db, account_id, values, seen=seen)
    if row is None:
        raise await _missed(db, user, account_id, seen)
    await audit.record(db, user, action, ENTITY, account_id, {"fields": sorted(values)})
    await db.commit()
    return row


async def _version(
    db: AsyncConnection,
    user: AuthUser | None,
    account_id: uuid.UUID,
    if_match: str | None,
) -> datetime | None:
    """The version (``updated_at``) a conditional write must still find, or ``None``.

    ``If-Match: *`` asks only that the row exist, which every write checks anyway. The
    row is read from the database, never from the cache: the compare-and-set needs the
    version that is current now.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    current = await repo.get_account(db, account_id)
    if current is None:
        raise missing(await is_visible(db, user, account_id), NOT_FOUND)
    return checked_version(if_match, current)


async def _missed(
    db: AsyncConnection, user: AuthUser | None, account_id: uuid.UUID, seen: datetime | None
) -> AppError:
    # The write matched no row. A conditional one found the row a moment ago, so it
    # changed in between: 412. Otherwise it is not the caller's (403) or not there (404).
    if seen is not None:
        return PreconditionFailed()
    return missing(await is_visible(db, user, account_id), NOT_FOUND)
