"""Rules of comments: who may do what, and what is theirs alone.

Comments are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references, parent (posts).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import comment as domain_hooks
from app.repositories import comment as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.comment import (
    CommentCreate,
    CommentNestedCreate,
    CommentNestedQuery,
    CommentQuery,
    CommentUpdate,
)
from app.services import post as post_service
from app.services.base import Listing, NestedEntityService, Parent
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("authenticated"),
    "update": Rule("owner"),
    "delete": Rule("owner_or_roles", frozenset({"admin"})),
}
NOT_FOUND = "Comment not found."
ENTITY = "comments"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "post_id": ("post", post_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = NestedEntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/comments/{row['id']}",
    get_row=repo.get_comment,
    row_exists=repo.comment_exists,
    list_rows=repo.list_comments,
    rows_by_id=repo.comments_by_id,
    realtime=True,
    group_rows=repo.group_comments,
    insert_row=repo.insert_comment,
    update_row=repo.update_comment,
    delete_row=repo.delete_comment,
    hooks=domain_hooks,
    check=_check_references,
    parent=Parent("post_id", post_service),
)


# Whether a caller may see a comment: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible
visible_ids = SERVICE.visible_ids


def list_comments(
    db: AsyncConnection, user: AuthUser | None, query: CommentQuery
) -> Awaitable[Listing]:
    """A page of the comments the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_comment(
    db: AsyncConnection, user: AuthUser | None, comment_id: uuid.UUID
) -> Awaitable[Row]:
    """One comment; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, comment_id)


def create_comment(
    db: AsyncConnection,
    user: AuthUser,
    data: CommentCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a comment owned by the caller, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent, owner_id=user.id)


def list_post_comments(
    db: AsyncConnection,
    user: AuthUser | None,
    post_id: uuid.UUID,
    query: CommentNestedQuery,
) -> Awaitable[Listing]:
    """The comments of one post; 404 if it is not visible."""
    return SERVICE.page_under(db, user, post_id, query)


def create_post_comment(
    db: AsyncConnection,
    user: AuthUser,
    post_id: uuid.UUID,
    data: CommentNestedCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a comment under a post the caller can see."""
    return SERVICE.create_under(db, user, post_id, data.model_dump(), idempotent, owner_id=user.id)


def replace_comment(
    db: AsyncConnection,
    user: AuthUser | None,
    comment_id: uuid.UUID,
    data: CommentCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a comment (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, comment_id, data.model_dump(), if_match, "replace")


def update_comment(
    db: AsyncConnection,
    user: AuthUser | None,
    comment_id: uuid.UUID,
    data: CommentUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, comment_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_comment(
    db: AsyncConnection, user: AuthUser | None, comment_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a comment."""
    return SERVICE.delete(db, user, comment_id, if_match)
