"""Rules of posts: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import cache
from app.core.errors import AppError, NotFoundError, PreconditionFailed
from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule, access, authorize
from app.repositories import post as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.post import PostCreate, PostQuery, PostUpdate
from app.schemas.tag import TagQuery
from app.services import audit
from app.services import tag as tag_service
from app.services.common import Visibility, checked_version, missing
from app.services.idempotency import remember, replayed

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"admin", "author"})),
    "update": Rule("owner_or_roles", frozenset({"admin"})),
    "delete": Rule("owner_or_roles", frozenset({"admin"})),
}
NOT_FOUND = "Post not found."
ENTITY = "posts"  # what the audit log calls these rows


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


async def create_post(
    db: AsyncConnection,
    user: AuthUser,
    data: PostCreate,
    idempotent: IdempotentRequest | None = None,
) -> Created:
    """Create a post owned by the caller, or answer a retry with the first response."""
    authorize(RULES["create"], user)
    if (earlier := await replayed(db, idempotent)) is not None:
        return earlier
    values = data.model_dump()
    return await _insert(db, user, values, idempotent)


async def replace_post(
    db: AsyncConnection,
    user: AuthUser | None,
    post_id: uuid.UUID,
    data: PostCreate,
    if_match: str | None = None,
) -> Row:
    """Replace every writable field of a post (of the version If-Match names, if any)."""
    return await _update(db, user, post_id, data.model_dump(), if_match, "replace")


async def update_post(
    db: AsyncConnection,
    user: AuthUser | None,
    post_id: uuid.UUID,
    data: PostUpdate,
    if_match: str | None = None,
) -> Row:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return await _update(db, user, post_id, data.model_dump(exclude_unset=True), if_match, "update")


async def delete_post(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, if_match: str | None = None
) -> None:
    """Delete a post (softly: kept, but marked deleted)."""
    owner_id = authorize(RULES["delete"], user)
    seen = await _version(db, user, post_id, if_match, owner_id)
    if not await repo.delete_post(db, post_id, owner_id=owner_id, seen=seen):
        raise await _missed(db, user, post_id, seen)
    await audit.record(db, user, "delete", ENTITY, post_id)
    await db.commit()
    await cache.current().invalidate("tags")


async def list_post_tags(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, query: TagQuery
) -> tuple[list[Row], int]:
    """A page of the tags linked to a post."""
    authorize(RULES["read"], user)
    if not await is_visible(db, user, post_id):
        raise NotFoundError(NOT_FOUND)
    authorize(tag_service.RULES["list"], user)
    params: dict[str, Any] = {
        "filters": query.filters(),
        "sort": query.sort,
        "page": query.page,
        "limit": query.limit,
    }
    load = partial(repo.list_post_tags, db, post_id, **params)
    view = f"post_tags:{post_id}"
    return await cache.current().page(
        tag_service.ENTITY, view, params, ttl=tag_service.TTL, load=load
    )


async def link_post_tags(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, tag_id: uuid.UUID
) -> None:
    """Link a tag; linking twice changes nothing."""
    await _check_link(db, user, post_id, tag_service.is_visible, tag_id, tag_service.NOT_FOUND)
    await repo.link_post_tags(db, post_id, tag_id)
    detail = {"relation": "tags", "target_id": str(tag_id)}
    await audit.record(db, user, "link", ENTITY, post_id, detail)
    await db.commit()
    await cache.current().invalidate("tags")


async def unlink_post_tags(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, tag_id: uuid.UUID
) -> None:
    """Remove the link to a tag, if there is one."""
    await _check_link(db, user, post_id, tag_service.is_visible, tag_id, tag_service.NOT_FOUND)
    await repo.unlink_post_tags(db, post_id, tag_id)
    detail = {"relation": "tags", "target_id": str(tag_id)}
    await audit.record(db, user, "unlink", ENTITY, post_id, detail)
    await db.commit()
    await cache.current().invalidate("tags")


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


async def _insert(
    db: AsyncConnection,
    user: AuthUser,
    values: dict[str, Any],
    idempotent: IdempotentRequest | None,
) -> Created:
    # The row, its audit entry and the stored response commit together, or not at all.
    row = await repo.insert_post(db, {**values, "owner_id": user.id})
    await audit.record(db, user, "create", ENTITY, row["id"])
    result = Created(row, location=f"/api/v1/posts/{row['id']}")
    await remember(db, idempotent, result)
    await db.commit()
    return result


async def _update(
    db: AsyncConnection,
    user: AuthUser | None,
    post_id: uuid.UUID,
    values: dict[str, Any],
    if_match: str | None,
    action: audit.Action,
) -> Row:
    owner_id = authorize(RULES["update"], user)
    seen = await _version(db, user, post_id, if_match, owner_id)
    row = await repo.update_post(db, post_id, values, owner_id=owner_id, seen=seen)
    if row is None:
        raise await _missed(db, user, post_id, seen)
    await audit.record(db, user, action, ENTITY, post_id, {"fields": sorted(values)})
    await db.commit()
    return row


async def _version(
    db: AsyncConnection,
    user: AuthUser | None,
    post_id: uuid.UUID,
    if_match: str | None,
    owner_id: uuid.UUID | None,
) -> datetime | None:
    """The version (``updated_at``) a conditional write must still find, or ``None``.

    ``If-Match: *`` asks only that the row exist, which every write checks anyway. The
    row is read from the database, never from the cache: the compare-and-set needs the
    version that is current now.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    current = await repo.get_post(db, post_id, owner_id=owner_id)
    if current is None:
        raise missing(await is_visible(db, user, post_id), NOT_FOUND)
    return checked_version(if_match, current)


async def _missed(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, seen: datetime | None
) -> AppError:
    # The write matched no row. A conditional one found the row a moment ago, so it
    # changed in between: 412. Otherwise it is not the caller's (403) or not there (404).
    if seen is not None:
        return PreconditionFailed()
    return missing(await is_visible(db, user, post_id), NOT_FOUND)
