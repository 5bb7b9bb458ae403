"""Rules of events: who may do what, and what is theirs alone.

Events are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references, cache, jobs.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import event as domain_hooks
from app.repositories import event as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.event import EventCreate, EventQuery, EventUpdate
from app.services import venue as venue_service
from app.services.base import EntityService, Listing
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"organiser"})),
    "update": Rule("owner"),
    "delete": Rule("owner"),
}
NOT_FOUND = "Event not found."
ENTITY = "events"  # what the audit log calls these rows
TTL = 120  # seconds a cached event or page of events may be served


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "venue_id": ("venue", venue_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/events/{row['id']}",
    get_row=repo.get_event,
    row_exists=repo.event_exists,
    list_rows=repo.list_events,
    insert_row=repo.insert_event,
    update_row=repo.update_event,
    delete_row=repo.delete_event,
    hooks=domain_hooks,
    check=_check_references,
    ttl=TTL,
    stale_on_write=("events",),
    stale_on_delete=("events",),
    created_event="event.created",
)


# Whether a caller may see an event: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_events(
    db: AsyncConnection, user: AuthUser | None, query: EventQuery
) -> Awaitable[Listing]:
    """A page of the events the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_event(db: AsyncConnection, user: AuthUser | None, event_id: uuid.UUID) -> Awaitable[Row]:
    """One event; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, event_id)


def create_event(
    db: AsyncConnection,
    user: AuthUser,
    data: EventCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create an event owned by the caller, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(by_alias=True), idempotent, owner_id=user.id)


def replace_event(
    db: AsyncConnection,
    user: AuthUser | None,
    event_id: uuid.UUID,
    data: EventCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of an event (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, event_id, data.model_dump(by_alias=True), if_match, "replace")


def update_event(
    db: AsyncConnection,
    user: AuthUser | None,
    event_id: uuid.UUID,
    data: EventUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, event_id, data.model_dump(exclude_unset=True, by_alias=True), if_match, "update"
    )


def delete_event(
    db: AsyncConnection, user: AuthUser | None, event_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete an event (softly: kept, but marked deleted)."""
    return SERVICE.delete(db, user, event_id, if_match)
