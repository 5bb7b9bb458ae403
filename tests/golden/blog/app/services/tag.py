"""Rules of tags: who may do what, and what is theirs alone.

Tags are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository, cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import tag as domain_hooks
from app.repositories import tag as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.tag import TagCreate, TagQuery, TagUpdate
from app.services.base import EntityService, Listing

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"admin", "author"})),
    "update": Rule("roles", frozenset({"admin"})),
    "delete": Rule("roles", frozenset({"admin"})),
}
NOT_FOUND = "Tag not found."
ENTITY = "tags"  # what the audit log calls these rows
TTL = 300  # seconds a cached tag or page of tags may be served


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/tags/{row['id']}",
    get_row=repo.get_tag,
    row_exists=repo.tag_exists,
    list_rows=repo.list_tags,
    rows_by_id=repo.tags_by_id,
    realtime=True,
    insert_row=repo.insert_tag,
    update_row=repo.update_tag,
    delete_row=repo.delete_tag,
    hooks=domain_hooks,
    ttl=TTL,
    stale_on_write=("tags",),
    stale_on_delete=("tags",),
)


# Whether a caller may see a tag: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible
visible_ids = SERVICE.visible_ids


def list_tags(db: AsyncConnection, user: AuthUser | None, query: TagQuery) -> Awaitable[Listing]:
    """A page of the tags the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_tag(db: AsyncConnection, user: AuthUser | None, tag_id: uuid.UUID) -> Awaitable[Row]:
    """One tag; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, tag_id)


def create_tag(
    db: AsyncConnection,
    user: AuthUser | None,
    data: TagCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a tag, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def replace_tag(
    db: AsyncConnection,
    user: AuthUser | None,
    tag_id: uuid.UUID,
    data: TagCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a tag (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, tag_id, data.model_dump(), if_match, "replace")


def update_tag(
    db: AsyncConnection,
    user: AuthUser | None,
    tag_id: uuid.UUID,
    data: TagUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, tag_id, data.model_dump(exclude_unset=True), if_match, "update")


def delete_tag(
    db: AsyncConnection, user: AuthUser | None, tag_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a tag."""
    return SERVICE.delete(db, user, tag_id, if_match)
