"""Rules of movements: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import AppError, NotFoundError, PreconditionFailed
from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule, access, authorize
from app.repositories import movement as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.movement import MovementCreate, MovementQuery, MovementUpdate
from app.services import audit
from app.services import item as item_service
from app.services import location as location_service
from app.services.common import Visibility, check_references, checked_version, missing
from app.services.idempotency import remember, replayed

RULES = {
    "list": Rule("authenticated"),
    "read": Rule("authenticated"),
    "create": Rule("roles", frozenset({"clerk", "manager"})),
    "update": Rule("owner_or_roles", frozenset({"manager"})),
    "delete": Rule("roles", frozenset({"manager"})),
}
NOT_FOUND = "Movement not found."
ENTITY = "movements"  # what the audit log calls these rows


async def is_visible(db: AsyncConnection, user: AuthUser | None, movement_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the movement: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    return decision.allowed and await repo.movement_exists(
        db, movement_id, owner_id=decision.owner_id
    )


async def list_movements(
    db: AsyncConnection, user: AuthUser | None, query: MovementQuery
) -> tuple[list[Row], int]:
    """A page of the movements the caller may list, and their total."""
    owner_id = authorize(RULES["list"], user)
    return await repo.list_movements(
        db,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
        owner_id=owner_id,
    )


async def get_movement(db: AsyncConnection, user: AuthUser | None, movement_id: uuid.UUID) -> Row:
    """One movement; 404 when it does not exist or the caller may not see it."""
    owner_id = authorize(RULES["read"], user)
    row = await repo.get_movement(db, movement_id, owner_id=owner_id)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


async def create_movement(
    db: AsyncConnection,
    user: AuthUser,
    data: MovementCreate,
    idempotent: IdempotentRequest | None = None,
) -> Created:
    """Create a movement owned by the caller, or answer a retry with the first response."""
    authorize(RULES["create"], user)
    if (earlier := await replayed(db, idempotent)) is not None:
        return earlier
    values = data.model_dump()
    await _check_references(db, user, values)
    return await _insert(db, user, values, idempotent)


async def replace_movement(
    db: AsyncConnection,
    user: AuthUser | None,
    movement_id: uuid.UUID,
    data: MovementCreate,
    if_match: str | None = None,
) -> Row:
    """Replace every writable field of a movement (of the version If-Match names, if any)."""
    return await _update(db, user, movement_id, data.model_dump(), if_match, "replace")


async def update_movement(
    db: AsyncConnection,
    user: AuthUser | None,
    movement_id: uuid.UUID,
    data: MovementUpdate,
    if_match: str | None = None,
) -> Row:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return await _update(
        db, user, movement_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


async def delete_movement(
    db: AsyncConnection, user: AuthUser | None, movement_id: uuid.UUID, if_match: str | None = None
) -> None:
    """Delete a movement."""
    owner_id = authorize(RULES["delete"], user)
    seen = await _version(db, user, movement_id, if_match, owner_id)
    if not await repo.delete_movement(db, movement_id, owner_id=owner_id, seen=seen):
        raise await _missed(db, user, movement_id, seen)
    await audit.record(db, user, "delete", ENTITY, movement_id)
    await db.commit()


async def _insert(
    db: AsyncConnection,
    user: AuthUser,
    values: dict[str, Any],
    idempotent: IdempotentRequest | None,
) -> Created:
    # The row, its audit entry and the stored response commit together, or not at all.
    row = await repo.insert_movement(db, {**values, "owner_id": user.id})
    await audit.record(db, user, "create", ENTITY, row["id"])
    result = Created(row, location=f"/api/v1/movements/{row['id']}")
    await remember(db, idempotent, result)
    await db.commit()
    return result


async def _update(
    db: AsyncConnection,
    user: AuthUser | None,
    movement_id: uuid.UUID,
    values: dict[str, Any],
    if_match: str | None,
    action: audit.Action,
) -> Row:
    owner_id = authorize(RULES["update"], user)
    await _check_references(db, user, values)
    seen = await _version(db, user, movement_id, if_match, owner_id)
    row = await repo.update_movement(db, movement_id, values, owner_id=owner_id, seen=seen)
    if row is None:
        raise await _missed(db, user, movement_id, seen)
    await audit.record(db, user, action, ENTITY, movement_id, {"fields": sorted(values)})
    await db.commit()
    return row


async def _version(
    db: AsyncConnection,
    user: AuthUser | None,
    movement_id: uuid.UUID,
    if_match: str | None,
    owner_id: uuid.UUID | None,
) -> datetime | None:
    """The version (``updated_at``) a conditional write must still find, or ``None``.

    ``If-Match: *`` asks only that the row exist, which every write checks anyway. The
    row is read from the database, never from the cache: the compare-and-set needs the
    version that is current now.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    current = await repo.get_movement(db, movement_id, owner_id=owner_id)
    if current is None:
        raise missing(await is_visible(db, user, movement_id), NOT_FOUND)
    return checked_version(if_match, current)


async def _missed(
    db: AsyncConnection, user: AuthUser | None, movement_id: uuid.UUID, seen: datetime | None
) -> AppError:
    # The write matched no row. A conditional one found the row a moment ago, so it
    # changed in between: 412. Otherwise it is not the caller's (403) or not there (404).
    if seen is not None:
        return PreconditionFailed()
    return missing(await is_visible(db, user, movement_id), NOT_FOUND)


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "item_id": ("item", item_service.is_visible),
        "location_id": ("location", location_service.is_visible),
    }
    await check_references(db, user, values, references)
