"""Rules of tickets: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import cache
from app.core.errors import AppError, NotFoundError, PreconditionFailed
from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule, access, authorize
from app.jobs.queue import enqueue
from app.repositories import ticket as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.label import LabelQuery
from app.schemas.ticket import TicketCreate, TicketQuery, TicketUpdate
from app.services import account as account_service
from app.services import agent as agent_service
from app.services import audit
from app.services import label as label_service
from app.services.common import Visibility, check_references, checked_version, missing
from app.services.idempotency import remember, replayed

RULES = {
    "list": Rule("owner_or_roles", frozenset({"agent"})),
    "read": Rule("owner_or_roles", frozenset({"agent"})),
    "create": Rule("authenticated"),
    "update": Rule("owner_or_roles", frozenset({"agent"})),
    "delete": Rule("roles", frozenset({"lead"})),
}
NOT_FOUND = "Ticket not found."
ENTITY = "tickets"  # what the audit log calls these rows


async def is_visible(db: AsyncConnection, user: AuthUser | None, ticket_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the ticket: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    return decision.allowed and await repo.ticket_exists(db, ticket_id, owner_id=decision.owner_id)


async def list_tickets(
    db: AsyncConnection, user: AuthUser | None, query: TicketQuery
) -> tuple[list[Row], int]:
    """A page of the tickets the caller may list, and their total."""
    owner_id = authorize(RULES["list"], user)
    return await repo.list_tickets(
        db,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
        owner_id=owner_id,
    )


async def get_ticket(db: AsyncConnection, user: AuthUser | None, ticket_id: uuid.UUID) -> Row:
    """One ticket; 404 when it does not exist or the caller may not see it."""
    owner_id = authorize(RULES["read"], user)
    row = await repo.get_ticket(db, ticket_id, owner_id=owner_id)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


async def create_ticket(
    db: AsyncConnection,
    user: AuthUser,
    data: TicketCreate,
    idempotent: IdempotentRequest | None = None,
) -> Created:
    """Create a ticket owned by the caller, or answer a retry with the first response."""
    authorize(RULES["create"], user)
    if (earlier := await replayed(db, idempotent)) is not None:
        return earlier
    values = data.model_dump()
    await _check_references(db, user, values)
    return await _insert(db, user, values, idempotent)


async def replace_ticket(
    db: AsyncConnection,
    user: AuthUser | None,
    ticket_id: uuid.UUID,
    data: TicketCreate,
    if_match: str | None = None,
) -> Row:
    """Replace every writable field of a ticket (of the version If-Match names, if any)."""
    return await _update(db, user, ticket_id, data.model_dump(), if_match, "replace")


async def update_ticket(
    db: AsyncConnection,
    user: AuthUser | None,
    ticket_id: uuid.UUID,
    data: TicketUpdate,
    if_match: str | None = None,
) -> Row:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return await _update(
        db, user, ticket_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


async def delete_ticket(
    db: AsyncConnection, user: AuthUser | None, ticket_id: uuid.UUID, if_match: str | None = None
) -> None:
    """Delete a ticket."""
    owner_id = authorize(RULES["delete"], user)
    seen = await _version(db, user, ticket_id, if_match, owner_id)
    if not await repo.delete_ticket(db, ticket_id, owner_id=owner_id, seen=seen):
        raise await _missed(db, user, ticket_id, seen)
    await audit.record(db, user, "delete", ENTITY, ticket_id)
    await db.commit()
    await cache.current().invalidate("labels")


async def list_ticket_labels(
    db: AsyncConnection, user: AuthUser | None, ticket_id: uuid.UUID, query: LabelQuery
) -> tuple[list[Row], int]:
    """A page of the labels linked to a ticket."""
    authorize(RULES["read"], user)
    if not await is_visible(db, user, ticket_id):
        raise NotFoundError(NOT_FOUND)
    authorize(label_service.RULES["list"], user)
    params: dict[str, Any] = {
        "filters": query.filters(),
        "sort": query.sort,
        "page": query.page,
        "limit": query.limit,
    }
    load = partial(repo.list_ticket_labels, db, ticket_id, **params)
    view = f"ticket_labels:{ticket_id}"
    return await cache.current().page(
        label_service.ENTITY, view, params, ttl=label_service.TTL, load=load
    )


async def link_ticket_labels(
    db: AsyncConnection, user: AuthUser | None, ticket_id: uuid.UUID, label_id: uuid.UUID
) -> None:
    """Link a label; linking twice changes nothing."""
    await _check_link(
        db, user, ticket_id, label_service.is_visible, label_id, label_service.NOT_FOUND
    )
    await repo.link_ticket_labels(db, ticket_id, label_id)
    detail = {"relation": "labels", "target_id": str(label_id)}
    await audit.record(db, user, "link", ENTITY, ticket_id, detail)
    await db.commit()
    await cache.current().invalidate("labels")


async def unlink_ticket_labels(
    db: AsyncConnection, user: AuthUser | None, ticket_id: uuid.UUID, label_id: uuid.UUID
) -> None:
    """Remove the link to a label, if there is one."""
    await _check_link(
        db, user, ticket_id, label_service.is_visible, label_id, label_service.NOT_FOUND
    )
    await repo.unlink_ticket_labels(db, ticket_id, label_id)
    detail = {"relation": "labels", "target_id": str(label_id)}
    await audit.record(db, user, "unlink", ENTITY, ticket_id, detail)
    await db.commit()
    await cache.current().invalidate("labels")


async def _check_link(
    db: AsyncConnection,
    user: AuthUser | None,
    ticket_id: uuid.UUID,
    target_visible: Visibility,
    target_id: uuid.UUID,
    target_not_found: str,
) -> None:
    # Changing links changes the ticket: it takes the update rule on it, and the
    # linked row must be one the caller can see.
    owner_id = authorize(RULES["update"], user)
    if not await repo.ticket_exists(db, ticket_id, owner_id=owner_id):
        raise missing(await is_visible(db, user, ticket_id), NOT_FOUND)
    if not await target_visible(db, user, target_id):
        raise NotFoundError(target_not_found)


async def _insert(
    db: AsyncConnection,
    user: AuthUser,
    values: dict[str, Any],
    idempotent: IdempotentRequest | None,
) -> Created:
    # The row, its audit entry and the stored response commit together, or not at all.
    row = await repo.insert_ticket(db, {**values, "owner_id": user.id})
    await audit.record(db, user, "create", ENTITY, row["id"])
    result = Created(row, location=f"/api/v1/tickets/{row['id']}")
    await remember(db, idempotent, result)
    await db.commit()
    return result


async def _update(
    db: AsyncConnection,
    user: AuthUser | None,
    ticket_id: uuid.UUID,
    values: dict[str, Any],
    if_match: str | None,
    action: audit.Action,
) -> Row:
    owner_id = authorize(RULES["update"], user)
    await _check_references(db, user, values)
    seen = await _version(db, user, ticket_id, if_match, owner_id)
    row = await repo.update_ticket(db, ticket_id, values, owner_id=owner_id, seen=seen)
    if row is None:
        raise await _missed(db, user, ticket_id, seen)
    await audit.record(db, user, action, ENTITY, ticket_id, {"fields": sorted(values)})
    # Queued in the same transaction: the job exists if and only if the change does.
    await enqueue(db, "ticket.updated", {"id": str(ticket_id), "fields": sorted(values)})
    await db.commit()
    return row


async def _version(
    db: AsyncConnection,
    user: AuthUser | None,
    ticket_id: uuid.UUID,
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
    current = await repo.get_ticket(db, ticket_id, owner_id=owner_id)
    if current is None:
        raise missing(await is_visible(db, user, ticket_id), NOT_FOUND)
    return checked_version(if_match, current)


async def _missed(
    db: AsyncConnection, user: AuthUser | None, ticket_id: uuid.UUID, seen: datetime | None
) -> AppError:
    # The write matched no row. A conditional one found the row a moment ago, so it
    # changed in between: 412. Otherwise it is not the caller's (403) or not there (404).
    if seen is not None:
        return PreconditionFailed()
    return missing(await is_visible(db, user, ticket_id), NOT_FOUND)


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "account_id": ("account", account_service.is_visible),
        "reporter_id": ("agent", agent_service.is_visible),
        "assignee_id": ("agent", agent_service.is_visible),
    }
    await check_references(db, user, values, references)
