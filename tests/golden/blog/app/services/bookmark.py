"""Rules of bookmarks: who may do what, and what is theirs alone.

Bookmarks are read, listed and written as every entity's rows are
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
from app.domain import bookmark as domain_hooks
from app.repositories import bookmark as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.bookmark import BookmarkCreate, BookmarkQuery, BookmarkUpdate
from app.services import post as post_service
from app.services.base import EntityService, Listing
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("owner"),
    "read": Rule("owner"),
    "create": Rule("authenticated"),
    "update": Rule("owner"),
    "delete": Rule("owner"),
}
NOT_FOUND = "Bookmark not found."
ENTITY = "bookmarks"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "post_id": ("post", post_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/bookmarks/{row['id']}",
    get_row=repo.get_bookmark,
    row_exists=repo.bookmark_exists,
    list_rows=repo.list_bookmarks,
    rows_by_id=repo.bookmarks_by_id,
    realtime=True,
    insert_row=repo.insert_bookmark,
    update_row=repo.update_bookmark,
    delete_row=repo.delete_bookmark,
    hooks=domain_hooks,
    check=_check_references,
)


# Whether a caller may see a bookmark: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible
visible_ids = SERVICE.visible_ids


def list_bookmarks(
    db: AsyncConnection, user: AuthUser | None, query: BookmarkQuery
) -> Awaitable[Listing]:
    """A page of the bookmarks the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_bookmark(
    db: AsyncConnection, user: AuthUser | None, bookmark_id: uuid.UUID
) -> Awaitable[Row]:
    """One bookmark; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, bookmark_id)


def create_bookmark(
    db: AsyncConnection,
    user: AuthUser,
    data: BookmarkCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a bookmark owned by the caller, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent, owner_id=user.id)


def replace_bookmark(
    db: AsyncConnection,
    user: AuthUser | None,
    bookmark_id: uuid.UUID,
    data: BookmarkCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a bookmark (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, bookmark_id, data.model_dump(), if_match, "replace")


def update_bookmark(
    db: AsyncConnection,
    user: AuthUser | None,
    bookmark_id: uuid.UUID,
    data: BookmarkUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, bookmark_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_bookmark(
    db: AsyncConnection, user: AuthUser | None, bookmark_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a bookmark."""
    return SERVICE.delete(db, user, bookmark_id, if_match)
