"""Rules of venues: who may do what, and what is theirs alone.

Venues are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository, cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import venue as domain_hooks
from app.repositories import venue as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.venue import VenueCreate, VenueQuery, VenueUpdate
from app.services.base import EntityService, Listing

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"organiser"})),
    "update": Rule("roles", frozenset({"organiser"})),
    "delete": Rule("roles", frozenset({"organiser"})),
}
NOT_FOUND = "Venue not found."
ENTITY = "venues"  # what the audit log calls these rows
TTL = 1800  # seconds a cached venue or page of venues may be served


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/venues/{row['id']}",
    get_row=repo.get_venue,
    row_exists=repo.venue_exists,
    list_rows=repo.list_venues,
    insert_row=repo.insert_venue,
    update_row=repo.update_venue,
    delete_row=repo.delete_venue,
    hooks=domain_hooks,
    ttl=TTL,
    stale_on_write=("venues",),
    stale_on_delete=("venues",),
)


# Whether a caller may see a venue: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_venues(
    db: AsyncConnection, user: AuthUser | None, query: VenueQuery
) -> Awaitable[Listing]:
    """A page of the venues the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_venue(db: AsyncConnection, user: AuthUser | None, venue_id: uuid.UUID) -> Awaitable[Row]:
    """One venue; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, venue_id)


def create_venue(
    db: AsyncConnection,
    user: AuthUser | None,
    data: VenueCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a venue, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def replace_venue(
    db: AsyncConnection,
    user: AuthUser | None,
    venue_id: uuid.UUID,
    data: VenueCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a venue (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, venue_id, data.model_dump(), if_match, "replace")


def update_venue(
    db: AsyncConnection,
    user: AuthUser | None,
    venue_id: uuid.UUID,
    data: VenueUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, venue_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_venue(
    db: AsyncConnection, user: AuthUser | None, venue_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a venue."""
    return SERVICE.delete(db, user, venue_id, if_match)
