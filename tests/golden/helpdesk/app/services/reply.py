"""Rules of replies: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import AppError, NotFoundError, PreconditionFailed
from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule, access, authorize
from app.repositories import reply as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.reply import (
    ReplyCreate,
    ReplyNestedCreate,
    ReplyNestedQuery,
    ReplyQuery,
    ReplyUpdate,
)
from app.services import audit
from app.services import ticket as ticket_service
from app.services.common import Visibility, check_references, checked_version, missing
from app.services.idempotency import remember, replayed

RULES = {
    "list": Rule("authenticated"),
    "read": Rule("authenticated"),
    "create": Rule("authenticated"),
    "update": Rule("owner"),
    "delete": Rule("owner_or_roles", frozenset({"lead"})),
}
NOT_FOUND = "Reply not found."
ENTITY = "replies"  # what the audit log calls these rows


async def is_visible(db: AsyncConnection, user: AuthUser | None, reply_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the reply: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    if not decision.allowed:
        return False
    row = await repo.get_reply(db, reply_id, owner_id=decision.owner_id)
    return row is not None and await _parent_in_reach(db, user, row["ticket_id"])


async def list_replies(
    db: AsyncConnection, user: AuthUser | None, query: ReplyQuery
) -> tuple[list[Row], int]:
    """A page of the replies the caller may list, and their total."""
    owner_id = authorize(RULES["list"], user)
    # Replies are listed only where their ticket can be read.
    parent = access(ticket_service.RULES["read"], user)
    if not parent.allowed:
        return [], 0
    return await repo.list_replies(
        db,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
        owner_id=owner_id,
        parent_owner_id=parent.owner_id,
    )


async def get_reply(db: AsyncConnection, user: AuthUser | None, reply_id: uuid.UUID) -> Row:
    """One reply; 404 when it does not exist or the caller may not see it."""
    owner_id = authorize(RULES["read"], user)
    row = await repo.get_reply(db, reply_id, owner_id=owner_id)
    if row is None or not await _parent_in_reach(db, user, row["ticket_id"]):
        raise NotFoundError(NOT_FOUND)
    return row


async def create_reply(
    db: AsyncConnection,
    user: AuthUser,
    data: ReplyCreate,
    idempotent: IdempotentRequest | None = None,
) -> Created:
    """Create a reply owned by the caller, or answer a retry with the first response."""
    authorize(RULES["create"], user)
    if (earlier := await replayed(db, idempotent)) is not None:
        return earlier
    values = data.model_dump()
    await _check_references(db, user, values)
    return await _insert(db, user, values, idempotent)


async def list_ticket_replies(
    db: AsyncConnection,
    user: AuthUser | None,
    ticket_id: uuid.UUID,
    query: ReplyNestedQuery,
) -> tuple[list[Row], int]:
    """The replies of one ticket; 404 if it is not visible."""
    owner_id = authorize(RULES["list"], user)
    if not await ticket_service.is_visible(db, user, ticket_id):
        raise NotFoundError(ticket_service.NOT_FOUND)
    return await repo.list_replies(
        db,
        filters={**query.filters(), "ticket_id": ticket_id},
        sort=query.sort,
        page=query.page,
        limit=query.limit,
        owner_id=owner_id,
    )


async def create_ticket_reply(
    db: AsyncConnection,
    user: AuthUser,
    ticket_id: uuid.UUID,
    data: ReplyNestedCreate,
    idempotent: IdempotentRequest | None = None,
) -> Created:
    """Create a reply under a ticket the caller can see."""
    authorize(RULES["create"], user)
    if not await ticket_service.is_visible(db, user, ticket_id):
        raise NotFoundError(ticket_service.NOT_FOUND)
    if (earlier := await replayed(db, idempotent)) is not None:
        return earlier
    values = data.model_dump()
    await _check_references(db, user, values)
    return await _insert(db, user, {**values, "ticket_id": ticket_id}, idempotent)


async def replace_reply(
    db: AsyncConnection,
    user: AuthUser | None,
    reply_id: uuid.UUID,
    data: ReplyCreate,
    if_match: str | None = None,
) -> Row:
    """Replace every writable field of a reply (of the version If-Match names, if any)."""
    return await _update(db, user, reply_id, data.model_dump(), if_match, "replace")


async def update_reply(
    db: AsyncConnection,
    user: AuthUser | None,
    reply_id: uuid.UUID,
    data: ReplyUpdate,
    if_match: str | None = None,
) -> Row:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return await _update(
        db, user, reply_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


async def delete_reply(
    db: AsyncConnection, user: AuthUser | None, reply_id: uuid.UUID, if_match: str | None = None
) -> None:
    """Delete a reply."""
    owner_id = authorize(RULES["delete"], user)
    await _check_parent(db, user, reply_id, owner_id)
    seen = await _version(db, user, reply_id, if_match, owner_id)
    if not await repo.delete_reply(db, reply_id, owner_id=owner_id, seen=seen):
        raise await _missed(db, user, reply_id, seen)
    await audit.record(db, user, "delete", ENTITY, reply_id)
    await db.commit()


async def _insert(
    db: AsyncConnection,
    user: AuthUser,
    values: dict[str, Any],
    idempotent: IdempotentRequest | None,
) -> Created:
    # The row, its audit entry and the stored response commit together, or not at all.
    row = await repo.insert_reply(db, {**values, "owner_id": user.id})
    await audit.record(db, user, "create", ENTITY, row["id"])
    result = Created(row, location=f"/api/v1/replies/{row['id']}")
    await remember(db, idempotent, result)
    await db.commit()
    return result


async def _update(
    db: AsyncConnection,
    user: AuthUser | None,
    reply_id: uuid.UUID,
    values: dict[str, Any],
    if_match: str | None,
    action: audit.Action,
) -> Row:
    owner_id = authorize(RULES["update"], user)
    await _check_parent(db, user, reply_id, owner_id)
    await _check_references(db, user, values)
    seen = await _version(db, user, reply_id, if_match, owner_id)
    row = await repo.update_reply(db, reply_id, values, owner_id=owner_id, seen=seen)
    if row is None:
        raise await _missed(db, user, reply_id, seen)
    await audit.record(db, user, action, ENTITY, reply_id, {"fields": sorted(values)})
    await db.commit()
    return row


async def _version(
    db: AsyncConnection,
    user: AuthUser | None,
    reply_id: uuid.UUID,
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
    current = await repo.get_reply(db, reply_id, owner_id=owner_id)
    if current is None:
        raise missing(await is_visible(db, user, reply_id), NOT_FOUND)
    return checked_version(if_match, current)


async def _missed(
    db: AsyncConnection, user: AuthUser | None, reply_id: uuid.UUID, seen: datetime | None
) -> AppError:
    # The write matched no row. A conditional one found the row a moment ago, so it
    # changed in between: 412. Otherwise it is not the caller's (403) or not there (404).
    if seen is not None:
        return PreconditionFailed()
    return missing(await is_visible(db, user, reply_id), NOT_FOUND)


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "ticket_id": ("ticket", ticket_service.is_visible),
    }
    await check_references(db, user, values, references)


async def _parent_in_reach(
    db: AsyncConnection, user: AuthUser | None, parent_id: uuid.UUID | None
) -> bool:
    """Whether the caller may read the ticket a reply belongs to: a nested
    row is visible only where its parent is."""
    parent = access(ticket_service.RULES["read"], user)
    if not parent.allowed:
        return False
    return (
        parent_id is None
        or parent.owner_id is None
        or await ticket_service.is_visible(db, user, parent_id)
    )


async def _check_parent(
    db: AsyncConnection,
    user: AuthUser | None,
    reply_id: uuid.UUID,
    owner_id: uuid.UUID | None,
) -> None:
    # A write reaches a reply only where a read would: under a ticket out of
    # the caller's reach, the row is not found.
    row = await repo.get_reply(db, reply_id, owner_id=owner_id)
    if row is not None and not await _parent_in_reach(db, user, row["ticket_id"]):
        raise NotFoundError(NOT_FOUND)
