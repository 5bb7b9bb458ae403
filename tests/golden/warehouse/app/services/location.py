"""Rules of locations: who may do what, and what is theirs alone.

Locations are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import location as domain_hooks
from app.repositories import location as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.location import LocationCreate, LocationQuery, LocationUpdate
from app.services.base import EntityService, Listing

RULES = {
    "list": Rule("authenticated"),
    "read": Rule("authenticated"),
    "create": Rule("roles", frozenset({"manager"})),
    "update": Rule("roles", frozenset({"manager"})),
    "delete": Rule("roles", frozenset({"manager"})),
}
NOT_FOUND = "Location not found."
ENTITY = "locations"  # what the audit log calls these rows


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/locations/{row['id']}",
    get_row=repo.get_location,
    row_exists=repo.location_exists,
    list_rows=repo.list_locations,
    insert_row=repo.insert_location,
    update_row=repo.update_location,
    delete_row=repo.delete_location,
    hooks=domain_hooks,
)


# Whether a caller may see a location: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_locations(
    db: AsyncConnection, user: AuthUser | None, query: LocationQuery
) -> Awaitable[Listing]:
    """A page of the locations the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_location(
    db: AsyncConnection, user: AuthUser | None, location_id: uuid.UUID
) -> Awaitable[Row]:
    """One location; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, location_id)


def create_location(
    db: AsyncConnection,
    user: AuthUser | None,
    data: LocationCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a location, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def replace_location(
    db: AsyncConnection,
    user: AuthUser | None,
    location_id: uuid.UUID,
    data: LocationCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a location (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, location_id, data.model_dump(), if_match, "replace")


def update_location(
    db: AsyncConnection,
    user: AuthUser | None,
    location_id: uuid.UUID,
    data: LocationUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, location_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_location(
    db: AsyncConnection, user: AuthUser | None, location_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a location."""
    return SERVICE.delete(db, user, location_id, if_match)
