"""Rules of labels: who may do what, and what is theirs alone.

Labels are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository, cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import label as domain_hooks
from app.repositories import label as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.label import LabelCreate, LabelQuery, LabelUpdate
from app.services.base import EntityService, Listing

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"agent", "lead"})),
    "update": Rule("roles", frozenset({"lead"})),
    "delete": Rule("roles", frozenset({"lead"})),
}
NOT_FOUND = "Label not found."
ENTITY = "labels"  # what the audit log calls these rows
TTL = 600  # seconds a cached label or page of labels may be served


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/labels/{row['id']}",
    get_row=repo.get_label,
    row_exists=repo.label_exists,
    list_rows=repo.list_labels,
    insert_row=repo.insert_label,
    update_row=repo.update_label,
    delete_row=repo.delete_label,
    hooks=domain_hooks,
    ttl=TTL,
    stale_on_write=("labels",),
    stale_on_delete=("labels",),
)


# Whether a caller may see a label: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_labels(
    db: AsyncConnection, user: AuthUser | None, query: LabelQuery
) -> Awaitable[Listing]:
    """A page of the labels the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_label(db: AsyncConnection, user: AuthUser | None, label_id: uuid.UUID) -> Awaitable[Row]:
    """One label; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, label_id)


def create_label(
    db: AsyncConnection,
    user: AuthUser | None,
    data: LabelCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a label, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def replace_label(
    db: AsyncConnection,
    user: AuthUser | None,
    label_id: uuid.UUID,
    data: LabelCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a label (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, label_id, data.model_dump(), if_match, "replace")


def update_label(
    db: AsyncConnection,
    user: AuthUser | None,
    label_id: uuid.UUID,
    data: LabelUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, label_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_label(
    db: AsyncConnection, user: AuthUser | None, label_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a label."""
    return SERVICE.delete(db, user, label_id, if_match)
