"""Rules of tickets: who may do what, and what is theirs alone.

Tickets are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references, cache, jobs.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import cache
from app.core.errors import NotFoundError
from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule, authorize
from app.domain import ticket as domain_hooks
from app.repositories import ticket as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.label import LabelQuery
from app.schemas.ticket import TicketCreate, TicketQuery, TicketUpdate
from app.services import account as account_service
from app.services import agent as agent_service
from app.services import audit
from app.services import label as label_service
from app.services.base import EntityService, Listing
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("owner_or_roles", frozenset({"agent"})),
    "read": Rule("owner_or_roles", frozenset({"agent"})),
    "create": Rule("authenticated"),
    "update": Rule("owner_or_roles", frozenset({"agent"})),
    "delete": Rule("roles", frozenset({"lead"})),
}
NOT_FOUND = "Ticket not found."
ENTITY = "tickets"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "account_id": ("account", account_service.is_visible),
        "reporter_id": ("agent", agent_service.is_visible),
        "assignee_id": ("agent", agent_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/tickets/{row['id']}",
    get_row=repo.get_ticket,
    row_exists=repo.ticket_exists,
    list_rows=repo.list_tickets,
    insert_row=repo.insert_ticket,
    update_row=repo.update_ticket,
    delete_row=repo.delete_ticket,
    hooks=domain_hooks,
    check=_check_references,
    stale_on_delete=("labels",),
    updated_event="ticket.updated",
)


# Whether a caller may see a ticket: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_tickets(
    db: AsyncConnection, user: AuthUser | None, query: TicketQuery
) -> Awaitable[Listing]:
    """A page of the tickets the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_ticket(db: AsyncConnection, user: AuthUser | None, ticket_id: uuid.UUID) -> Awaitable[Row]:
    """One ticket; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, ticket_id)


def create_ticket(
    db: AsyncConnection,
    user: AuthUser,
    data: TicketCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a ticket owned by the caller, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent, owner_id=user.id)


def replace_ticket(
    db: AsyncConnection,
    user: AuthUser | None,
    ticket_id: uuid.UUID,
    data: TicketCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a ticket (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, ticket_id, data.model_dump(), if_match, "replace")


def update_ticket(
    db: AsyncConnection,
    user: AuthUser | None,
    ticket_id: uuid.UUID,
    data: TicketUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, ticket_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_ticket(
    db: AsyncConnection, user: AuthUser | None, ticket_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a ticket."""
    return SERVICE.delete(db, user, ticket_id, if_match)


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
        "limit": query.limit,
        **query.paging(),
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
    await SERVICE.check_link(
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
    await SERVICE.check_link(
        db, user, ticket_id, label_service.is_visible, label_id, label_service.NOT_FOUND
    )
    await repo.unlink_ticket_labels(db, ticket_id, label_id)
    detail = {"relation": "labels", "target_id": str(label_id)}
    await audit.record(db, user, "unlink", ENTITY, ticket_id, detail)
    await db.commit()
    await cache.current().invalidate("labels")
