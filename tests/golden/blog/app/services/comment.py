"""Rules of comments: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import NotFoundError
from app.core.permissions import Rule, access, authorize
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
from app.services.common import Visibility, check_references, missing

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("authenticated"),
    "update": Rule("owner"),
    "delete": Rule("owner_or_roles", frozenset({"admin"})),
}
NOT_FOUND = "Comment not found."


async def is_visible(db: AsyncConnection, user: AuthUser | None, comment_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the comment: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    return decision.allowed and await repo.comment_exists(
        db, comment_id, owner_id=decision.owner_id
    )


async def list_comments(
    db: AsyncConnection, user: AuthUser | None, query: CommentQuery
) -> tuple[list[Row], int]:
    """A page of the comments the caller may list, and their total."""
    owner_id = authorize(RULES["list"], user)
    return await repo.list_comments(
        db,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
        owner_id=owner_id,
    )


async def get_comment(db: AsyncConnection, user: AuthUser | None, comment_id: uuid.UUID) -> Row:
    """One comment; 404 when it does not exist or the caller may not see it."""
    owner_id = authorize(RULES["read"], user)
    row = await repo.get_comment(db, comment_id, owner_id=owner_id)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


async def create_comment(db: AsyncConnection, user: AuthUser, data: CommentCreate) -> Row:
    """Create a comment owned by the caller."""
    authorize(RULES["create"], user)
    values = data.model_dump()
    await _check_references(db, user, values)
    return await _insert(db, user, values)


async def list_post_comments(
    db: AsyncConnection,
    user: AuthUser | None,
    post_id: uuid.UUID,
    query: CommentNestedQuery,
) -> tuple[list[Row], int]:
    """The comments of one post; 404 if it is not visible."""
    owner_id = authorize(RULES["list"], user)
    if not await post_service.is_visible(db, user, post_id):
        raise NotFoundError(post_service.NOT_FOUND)
    return await repo.list_comments(
        db,
        filters={**query.filters(), "post_id": post_id},
        sort=query.sort,
        page=query.page,
        limit=query.limit,
        owner_id=owner_id,
    )


async def create_post_comment(
    db: AsyncConnection,
    user: AuthUser,
    post_id: uuid.UUID,
    data: CommentNestedCreate,
) -> Row:
    """Create a comment under a post the caller can see."""
    authorize(RULES["create"], user)
    if not await post_service.is_visible(db, user, post_id):
        raise NotFoundError(post_service.NOT_FOUND)
    values = data.model_dump()
    await _check_references(db, user, values)
    return await _insert(db, user, {**values, "post_id": post_id})


async def replace_comment(
    db: AsyncConnection, user: AuthUser | None, comment_id: uuid.UUID, data: CommentCreate
) -> Row:
    """Replace every writable field of a comment."""
    return await _update(db, user, comment_id, data.model_dump())


async def update_comment(
    db: AsyncConnection, user: AuthUser | None, comment_id: uuid.UUID, data: CommentUpdate
) -> Row:
    """Change the fields the client sent."""
    return await _update(db, user, comment_id, data.model_dump(exclude_unset=True))


async def delete_comment(db: AsyncConnection, user: AuthUser | None, comment_id: uuid.UUID) -> None:
    """Delete a comment."""
    owner_id = authorize(RULES["delete"], user)
    if not await repo.delete_comment(db, comment_id, owner_id=owner_id):
        raise missing(await is_visible(db, user, comment_id), NOT_FOUND)
    await db.commit()


async def _insert(db: AsyncConnection, user: AuthUser, values: dict[str, Any]) -> Row:
    row = await repo.insert_comment(db, {**values, "owner_id": user.id})
    await db.commit()
    return row


async def _update(
    db: AsyncConnection, user: AuthUser | None, comment_id: uuid.UUID, values: dict[str, Any]
) -> Row:
    owner_id = authorize(RULES["update"], user)
    await _check_references(db, user, values)
    row = await repo.update_comment(db, comment_id, values, owner_id=owner_id)
    if row is None:
        raise missing(await is_visible(db, user, comment_id), NOT_FOUND)
    await db.commit()
    return row


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "post_id": ("post", post_service.is_visible),
    }
    await check_references(db, user, values, references)
