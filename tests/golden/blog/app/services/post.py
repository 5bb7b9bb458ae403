"""Rules of posts: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import NotFoundError
from app.core.permissions import Rule, access, authorize
from app.repositories import post as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.post import PostCreate, PostQuery, PostUpdate
from app.schemas.tag import TagQuery
from app.services import tag as tag_service
from app.services.common import Visibility, missing

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"admin", "author"})),
    "update": Rule("owner_or_roles", frozenset({"admin"})),
    "delete": Rule("owner_or_roles", frozenset({"admin"})),
}
NOT_FOUND = "Post not found."


async def is_visible(db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the post: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    return decision.allowed and await repo.post_exists(db, post_id, owner_id=decision.owner_id)


async def list_posts(
    db: AsyncConnection, user: AuthUser | None, query: PostQuery
) -> tuple[list[Row], int]:
    """A page of the posts the caller may list, and their total."""
    owner_id = authorize(RULES["list"], user)
    return await repo.list_posts(
        db,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
        owner_id=owner_id,
    )


async def get_post(db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID) -> Row:
    """One post; 404 when it does not exist or the caller may not see it."""
    owner_id = authorize(RULES["read"], user)
    row = await repo.get_post(db, post_id, owner_id=owner_id)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


async def create_post(db: AsyncConnection, user: AuthUser, data: PostCreate) -> Row:
    """Create a post owned by the caller."""
    authorize(RULES["create"], user)
    values = data.model_dump()
    return await _insert(db, user, values)


async def replace_post(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, data: PostCreate
) -> Row:
    """Replace every writable field of a post."""
    return await _update(db, user, post_id, data.model_dump())


async def update_post(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, data: PostUpdate
) -> Row:
    """Change the fields the client sent."""
    return await _update(db, user, post_id, data.model_dump(exclude_unset=True))


async def delete_post(db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID) -> None:
    """Delete a post (softly: kept, but marked deleted)."""
    owner_id = authorize(RULES["delete"], user)
    if not await repo.delete_post(db, post_id, owner_id=owner_id):
        raise missing(await is_visible(db, user, post_id), NOT_FOUND)
    await db.commit()


async def list_post_tags(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, query: TagQuery
) -> tuple[list[Row], int]:
    """A page of the tags linked to a post."""
    authorize(RULES["read"], user)
    if not await is_visible(db, user, post_id):
        raise NotFoundError(NOT_FOUND)
    authorize(tag_service.RULES["list"], user)
    return await repo.list_post_tags(
        db,
        post_id,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
    )


async def link_post_tags(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, tag_id: uuid.UUID
) -> None:
    """Link a tag; linking twice changes nothing."""
    await _check_link(db, user, post_id, tag_service.is_visible, tag_id, tag_service.NOT_FOUND)
    await repo.link_post_tags(db, post_id, tag_id)
    await db.commit()


async def unlink_post_tags(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, tag_id: uuid.UUID
) -> None:
    """Remove the link to a tag, if there is one."""
    await _check_link(db, user, post_id, tag_service.is_visible, tag_id, tag_service.NOT_FOUND)
    await repo.unlink_post_tags(db, post_id, tag_id)
    await db.commit()


async def _check_link(
    db: AsyncConnection,
    user: AuthUser | None,
    post_id: uuid.UUID,
    target_visible: Visibility,
    target_id: uuid.UUID,
    target_not_found: str,
) -> None:
    # Changing links changes the post: it takes the update rule on it, and the
    # linked row must be one the caller can see.
    owner_id = authorize(RULES["update"], user)
    if not await repo.post_exists(db, post_id, owner_id=owner_id):
        raise missing(await is_visible(db, user, post_id), NOT_FOUND)
    if not await target_visible(db, user, target_id):
        raise NotFoundError(target_not_found)


async def _insert(db: AsyncConnection, user: AuthUser, values: dict[str, Any]) -> Row:
    row = await repo.insert_post(db, {**values, "owner_id": user.id})
    await db.commit()
    return row


async def _update(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, values: dict[str, Any]
) -> Row:
    owner_id = authorize(RULES["update"], user)
    row = await repo.update_post(db, post_id, values, owner_id=owner_id)
    if row is None:
        raise missing(await is_visible(db, user, post_id), NOT_FOUND)
    await db.commit()
    return row
