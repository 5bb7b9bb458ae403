"""Rules of items: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import AppError, NotFoundError, PreconditionFailed
from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule, access, authorize
from app.repositories import item as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.item import ItemCreate, ItemQuery, ItemUpdate
from app.services import audit
from app.services import category as category_service
from app.services.common import Visibility, check_references, checked_version, missing
from app.services.idempotency import remember, replayed

RULES = {
    "list": Rule("authenticated"),
    "read": Rule("authenticated"),
    "create": Rule("roles", frozenset({"manager"})),
    "update": Rule("roles", frozenset({"clerk", "manager"})),
    "delete": Rule("roles", frozenset({"manager"})),
}
NOT_FOUND = "Item not found."
ENTITY = "items"  # what the audit log calls these rows


async def is_visible(db: AsyncConnection, user: AuthUser | None, item_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the item: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    return decision.allowed and await repo.item_exists(db, item_id)


async def list_items(
    db: AsyncConnection, user: AuthUser | None, query: ItemQuery
) -> tuple[list[Row], int]:
    """A page of the items the caller may list, and their total."""
    authorize(RULES["list"], user)
    return await repo.list_items(
        db,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
    )


async def get_item(db: AsyncConnection, user: AuthUser | None, item_id: uuid.UUID) -> Row:
    """One item; 404 when it does not exist or the caller may not see it."""
    authorize(RULES["read"], user)
    row = await repo.get_item(db, item_id)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


async def create_item(
    db: AsyncConnection,
    user: AuthUser | None,
    data: ItemCreate,
    idempotent: IdempotentRequest | None = None,
) -> Created:
    """Create an item, or answer a retry with the first response."""
    authorize(RULES["create"], user)
    if (earlier := await replayed(db, idempotent)) is not None:
        return earlier
    values = data.model_dump(by_alias=True)
    await _check_references(db, user, values)
    return await _insert(db, user, values, idempotent)


async def replace_item(
    db: AsyncConnection,
    user: AuthUser | None,
    item_id: uuid.UUID,
    data: ItemCreate,
    if_match: str | None = None,
) -> Row:
    """Replace every writable field of an item (of the version If-Match names, if any)."""
    return await _update(db, user, item_id, data.model_dump(by_alias=True), if_match, "replace")


async def update_item(
    db: AsyncConnection,
    user: AuthUser | None,
    item_id: uuid.UUID,
    data: ItemUpdate,
    if_match: str | None = None,
) -> Row:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return await _update(
        db, user, item_id, data.model_dump(exclude_unset=True, by_alias=True), if_match, "update"
    )


async def delete_item(
    db: AsyncConnection, user: AuthUser | None, item_id: uuid.UUID, if_match: str | None = None
) -> None:
    """Delete an item."""
    authorize(RULES["delete"], user)
    seen = await _version(db, user, item_id, if_match)
    if not await repo.delete_item(db, item_id, seen=seen):
        raise await _missed(db, user, item_id, seen)
    await audit.record(db, user, "delete", ENTITY, item_id)
    await db.commit()


async def _insert(
    db: AsyncConnection,
    user: AuthUser | None,
    values: dict[str, Any],
    idempotent: IdempotentRequest | None,
) -> Created:
    # The row, its audit entry and the stored response commit together, or not at all.
    row = await repo.insert_item(db, values)
    await audit.record(db, user, "create", ENTITY, row["id"])
    result = Created(row, location=f"/api/v1/items/{row['id']}")
    await remember(db, idempotent, result)
    await db.commit()
    return result


async def _update(
    db: AsyncConnection,
    user: AuthUser | None,
    item_id: uuid.UUID,
    values: dict[str, Any],
    if_match: str | None,
    action: audit.Action,
) -> Row:
    authorize(RULES["update"], user)
    await _check_references(db, user, values)
    seen = await _version(db, user, item_id, if_match)
    row = await repo.update_item(db, item_id, values, seen=seen)
    if row is None:
        raise await _missed(db, user, item_id, seen)
    await audit.record(db, user, action, ENTITY, item_id, {"fields": sorted(values)})
    await db.commit()
    return row


async def _version(
    db: AsyncConnection,
    user: AuthUser | None,
    item_id: uuid.UUID,
    if_match: str | None,
) -> datetime | None:
    """The version (``updated_at``) a conditional write must still find, or ``None``.

    ``If-Match: *`` asks only that the row exist, which every write checks anyway. The
    row is read from the database, never from the cache: the compare-and-set needs the
    version that is current now.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    current = await repo.get_item(db, item_id)
    if current is None:
        raise missing(await is_visible(db, user, item_id), NOT_FOUND)
    return checked_version(if_match, current)


async def _missed(
    db: AsyncConnection, user: AuthUser | None, item_id: uuid.UUID, seen: datetime | None
) -> AppError:
    # The write matched no row. A conditional one found the row a moment ago, so it
    # changed in between: 412. Otherwise it is not the caller's (403) or not there (404).
    if seen is not None:
        return PreconditionFailed()
    return missing(await is_visible(db, user, item_id), NOT_FOUND)


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "category_id": ("category", category_service.is_visible),
    }
    await check_references(db, user, values, references)
