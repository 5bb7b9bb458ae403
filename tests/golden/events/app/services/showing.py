"""Rules of showings: who may do what, and what is theirs alone.

Showings are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references, parent (events).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import showing as domain_hooks
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
from app.services import event as event_service
from app.services.base import Listing, NestedEntityService, Parent
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"organiser"})),
    "update": Rule("roles", frozenset({"organiser"})),
    "delete": Rule("roles", frozenset({"organiser"})),
}
NOT_FOUND = "Showing not found."
ENTITY = "showings"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "event_id": ("event", event_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = NestedEntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/showings/{row['id']}",
    get_row=repo.get_showing,
    row_exists=repo.showing_exists,
    list_rows=repo.list_showings,
    insert_row=repo.insert_showing,
    update_row=repo.update_showing,
    delete_row=repo.delete_showing,
    hooks=domain_hooks,
    check=_check_references,
    parent=Parent("event_id", event_service),
)


# Whether a caller may see a showing: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_showings(
    db: AsyncConnection, user: AuthUser | None, query: ShowingQuery
) -> Awaitable[Listing]:
    """A page of the showings the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_showing(
    db: AsyncConnection, user: AuthUser | None, showing_id: uuid.UUID
) -> Awaitable[Row]:
    """One showing; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, showing_id)


def create_showing(
    db: AsyncConnection,
    user: AuthUser | None,
    data: ShowingCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a showing, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def list_event_showings(
    db: AsyncConnection,
    user: AuthUser | None,
    event_id: uuid.UUID,
    query: ShowingNestedQuery,
) -> Awaitable[Listing]:
    """The showings of one event; 404 if it is not visible."""
    return SERVICE.page_under(db, user, event_id, query)


def create_event_showing(
    db: AsyncConnection,
    user: AuthUser | None,
    event_id: uuid.UUID,
    data: ShowingNestedCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a showing under a event the caller can see."""
    return SERVICE.create_under(db, user, event_id, data.model_dump(), idempotent)


def replace_showing(
    db: AsyncConnection,
    user: AuthUser | None,
    showing_id: uuid.UUID,
    data: ShowingCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a showing (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, showing_id, data.model_dump(), if_match, "replace")


def update_showing(
    db: AsyncConnection,
    user: AuthUser | None,
    showing_id: uuid.UUID,
    data: ShowingUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, showing_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_showing(
    db: AsyncConnection, user: AuthUser | None, showing_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a showing."""
    return SERVICE.delete(db, user, showing_id, if_match)
