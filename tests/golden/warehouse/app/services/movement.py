"""Rules of movements: who may do what, and what is theirs alone.

Movements are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import movement as domain_hooks
from app.repositories import movement as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.movement import MovementCreate, MovementQuery, MovementUpdate
from app.services import item as item_service
from app.services import location as location_service
from app.services.base import EntityService, Listing
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("authenticated"),
    "read": Rule("authenticated"),
    "create": Rule("roles", frozenset({"clerk", "manager"})),
    "update": Rule("owner_or_roles", frozenset({"manager"})),
    "delete": Rule("roles", frozenset({"manager"})),
}
NOT_FOUND = "Movement not found."
ENTITY = "movements"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "item_id": ("item", item_service.is_visible),
        "location_id": ("location", location_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/movements/{row['id']}",
    get_row=repo.get_movement,
    row_exists=repo.movement_exists,
    list_rows=repo.list_movements,
    insert_row=repo.insert_movement,
    update_row=repo.update_movement,
    delete_row=repo.delete_movement,
    hooks=domain_hooks,
    check=_check_references,
)


# Whether a caller may see a movement: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_movements(
    db: AsyncConnection, user: AuthUser | None, query: MovementQuery
) -> Awaitable[Listing]:
    """A page of the movements the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_movement(
    db: AsyncConnection, user: AuthUser | None, movement_id: uuid.UUID
) -> Awaitable[Row]:
    """One movement; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, movement_id)


def create_movement(
    db: AsyncConnection,
    user: AuthUser,
    data: MovementCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a movement owned by the caller, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent, owner_id=user.id)


def replace_movement(
    db: AsyncConnection,
    user: AuthUser | None,
    movement_id: uuid.UUID,
    data: MovementCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a movement (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, movement_id, data.model_dump(), if_match, "replace")


def update_movement(
    db: AsyncConnection,
    user: AuthUser | None,
    movement_id: uuid.UUID,
    data: MovementUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, movement_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_movement(
    db: AsyncConnection, user: AuthUser | None, movement_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a movement."""
    return SERVICE.delete(db, user, movement_id, if_match)
