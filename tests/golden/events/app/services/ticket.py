"""Rules of tickets: who may do what, and what is theirs alone.

Tickets are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references, parent (showings).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import ticket as domain_hooks
from app.repositories import ticket as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.ticket import (
    TicketCreate,
    TicketNestedCreate,
    TicketNestedQuery,
    TicketQuery,
    TicketUpdate,
)
from app.services import showing as showing_service
from app.services.base import Listing, NestedEntityService, Parent
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("owner_or_roles", frozenset({"organiser"})),
    "read": Rule("owner_or_roles", frozenset({"organiser"})),
    "create": Rule("authenticated"),
    "update": Rule("owner_or_roles", frozenset({"organiser"})),
    "delete": Rule("owner_or_roles", frozenset({"organiser"})),
}
NOT_FOUND = "Ticket not found."
ENTITY = "tickets"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "showing_id": ("showing", showing_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = NestedEntityService(
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
    parent=Parent("showing_id", showing_service),
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
    return SERVICE.create(db, user, data.model_dump(by_alias=True), idempotent, owner_id=user.id)


def list_showing_tickets(
    db: AsyncConnection,
    user: AuthUser | None,
    showing_id: uuid.UUID,
    query: TicketNestedQuery,
) -> Awaitable[Listing]:
    """The tickets of one showing; 404 if it is not visible."""
    return SERVICE.page_under(db, user, showing_id, query)


def create_showing_ticket(
    db: AsyncConnection,
    user: AuthUser,
    showing_id: uuid.UUID,
    data: TicketNestedCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a ticket under a showing the caller can see."""
    return SERVICE.create_under(
        db, user, showing_id, data.model_dump(by_alias=True), idempotent, owner_id=user.id
    )


def replace_ticket(
    db: AsyncConnection,
    user: AuthUser | None,
    ticket_id: uuid.UUID,
    data: TicketCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a ticket (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, ticket_id, data.model_dump(by_alias=True), if_match, "replace")


def update_ticket(
    db: AsyncConnection,
    user: AuthUser | None,
    ticket_id: uuid.UUID,
    data: TicketUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, ticket_id, data.model_dump(exclude_unset=True, by_alias=True), if_match, "update"
    )


def delete_ticket(
    db: AsyncConnection, user: AuthUser | None, ticket_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a ticket."""
    return SERVICE.delete(db, user, ticket_id, if_match)
