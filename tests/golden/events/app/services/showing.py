"""Rules of showings: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import AppError, NotFoundError, PreconditionFailed
from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule, access, authorize
from app.repositories import showing as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.showing import (
    ShowingCreate,
    ShowingNestedCreate,
    ShowingNestedQuery,
    ShowingQuery,
    ShowingUpdate,
)
from app.services import audit
from app.services import event as event_service
from app.services.common import Visibility, check_references, checked_version, missing
from app.services.idempotency import remember, replayed

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"organiser"})),
    "update": Rule("roles", frozenset({"organiser"})),
    "delete": Rule("roles", frozenset({"organiser"})),
}
NOT_FOUND = "Showing not found."
ENTITY = "showings"  # what the audit log calls these rows


async def is_visible(db: AsyncConnection, user: AuthUser | None, showing_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the showing: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    return decision.allowed and await repo.showing_exists(db, showing_id)


async def list_showings(
    db: AsyncConnection, user: AuthUser | None, query: ShowingQuery
) -> tuple[list[Row], int]:
    """A page of the showings the caller may list, and their total."""
    authorize(RULES["list"], user)
    return await repo.list_showings(
        db,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
    )


async def get_showing(db: AsyncConnection, user: AuthUser | None, showing_id: uuid.UUID) -> Row:
    """One showing; 404 when it does not exist or the caller may not see it."""
    authorize(RULES["read"], user)
    row = await repo.get_showing(db, showing_id)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


async def create_showing(
    db: AsyncConnection,
    user: AuthUser | None,
    data: ShowingCreate,
    idempotent: IdempotentRequest | None = None,
) -> Created:
    """Create a showing, or answer a retry with the first response."""
    authorize(RULES["create"], user)
    if (earlier := await replayed(db, idempotent)) is not None:
        return earlier
    values = data.model_dump()
    await _check_references(db, user, values)
    return await _insert(db, user, values, idempotent)


async def list_event_showings(
    db: AsyncConnection,
    user: AuthUser | None,
    event_id: uuid.UUID,
    query: ShowingNestedQuery,
) -> tuple[list[Row], int]:
    """The showings of one event; 404 if it is not visible."""
    authorize(RULES["list"], user)
    if not await event_service.is_visible(db, user, event_id):
        raise NotFoundError(event_service.NOT_FOUND)
    return await repo.list_showings(
        db,
        filters={**query.filters(), "event_id": event_id},
        sort=query.sort,
        page=query.page,
        limit=query.limit,
    )


async def create_event_showing(
    db: AsyncConnection,
    user: AuthUser | None,
    event_id: uuid.UUID,
    data: ShowingNestedCreate,
    idempotent: IdempotentRequest | None = None,
) -> Created:
    """Create a showing under a event the caller can see."""
    authorize(RULES["create"], user)
    if not await event_service.is_visible(db, user, event_id):
        raise NotFoundError(event_service.NOT_FOUND)
    if (earlier := await replayed(db, idempotent)) is not None:
        return earlier
    values = data.model_dump()
    await _check_references(db, user, values)
    return await _insert(db, user, {**values, "event_id": event_id}, idempotent)


async def replace_showing(
    db: AsyncConnection,
    user: AuthUser | None,
    showing_id: uuid.UUID,
    data: ShowingCreate,
    if_match: str | None = None,
) -> Row:
    """Replace every writable field of a showing (of the version If-Match names, if any)."""
    return await _update(db, user, showing_id, data.model_dump(), if_match, "replace")


async def update_showing(
    db: AsyncConnection,
    user: AuthUser | None,
    showing_id: uuid.UUID,
    data: ShowingUpdate,
    if_match: str | None = None,
) -> Row:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return await _update(
        db, user, showing_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


async def delete_showing(
    db: AsyncConnection, user: AuthUser | None, showing_id: uuid.UUID, if_match: str | None = None
) -> None:
    """Delete a showing."""
    authorize(RULES["delete"], user)
    seen = await _version(db, user, showing_id, if_match)
    if not await repo.delete_showing(db, showing_id, seen=seen):
        raise await _missed(db, user, showing_id, seen)
    await audit.record(db, user, "delete", ENTITY, showing_id)
    await db.commit()


async def _insert(
    db: AsyncConnection,
    user: AuthUser | None,
    values: dict[str, Any],
    idempotent: IdempotentRequest | None,
) -> Created:
    # The row, its audit entry and the stored response commit together, or not at all.
    row = await repo.insert_showing(db, values)
    await audit.record(db, user, "create", ENTITY, row["id"])
    result = Created(row, location=f"/api/v1/showings/{row['id']}")
    await remember(db, idempotent, result)
    await db.commit()
    return result


async def _update(
    db: AsyncConnection,
    user: AuthUser | None,
    showing_id: uuid.UUID,
    values: dict[str, Any],
    if_match: str | None,
    action: audit.Action,
) -> Row:
    authorize(RULES["update"], user)
    await _check_references(db, user, values)
    seen = await _version(db, user, showing_id, if_match)
    row = await repo.update_showing(db, showing_id, values, seen=seen)
    if row is None:
        raise await _missed(db, user, showing_id, seen)
    await audit.record(db, user, action, ENTITY, showing_id, {"fields": sorted(values)})
    await db.commit()
    return row


async def _version(
    db: AsyncConnection,
    user: AuthUser | None,
    showing_id: uuid.UUID,
    if_match: str | None,
) -> datetime | None:
    """The version (``updated_at``) a conditional write must still find, or ``None``.

    ``If-Match: *`` asks only that the row exist, which every write checks anyway. The
    row is read from the database, never from the cache: the compare-and-set needs the
    version that is current now.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    current = await repo.get_showing(db, showing_id)
    if current is None:
        raise missing(await is_visible(db, user, showing_id), NOT_FOUND)
    return checked_version(if_match, current)


async def _missed(
    db: AsyncConnection, user: AuthUser | None, showing_id: uuid.UUID, seen: datetime | None
) -> AppError:
    # The write matched no row. A conditional one found the row a moment ago, so it
    # changed in between: 412. Otherwise it is not the caller's (403) or not there (404).
    if seen is not None:
        return PreconditionFailed()
    return missing(await is_visible(db, user, showing_id), NOT_FOUND)


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "event_id": ("event", event_service.is_visible),
    }
    await check_references(db, user, values, references)
