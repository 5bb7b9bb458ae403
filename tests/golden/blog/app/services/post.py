"""Rules of posts: who may do what, and what is theirs alone.

Posts are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository, cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Sequence
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import cache
from app.core.errors import NotFoundError
from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule, authorize
from app.domain import post as domain_hooks
from app.repositories import post as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.post import PostCreate, PostQuery, PostUpdate
from app.schemas.tag import TagQuery
from app.services import audit
from app.services import tag as tag_service
from app.services.base import EntityService, Listing

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"admin", "author"})),
    "update": Rule("owner_or_roles", frozenset({"admin"})),
    "delete": Rule("owner_or_roles", frozenset({"admin"})),
}
NOT_FOUND = "Post not found."
ENTITY = "posts"  # what the audit log calls these rows


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/posts/{row['id']}",
    get_row=repo.get_post,
    row_exists=repo.post_exists,
    list_rows=repo.list_posts,
    rows_by_id=repo.posts_by_id,
    realtime=True,
    insert_row=repo.insert_post,
    update_row=repo.update_post,
    delete_row=repo.delete_post,
    hooks=domain_hooks,
    stale_on_delete=("tags",),
)


# Whether a caller may see a post: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible
visible_ids = SERVICE.visible_ids


def list_posts(db: AsyncConnection, user: AuthUser | None, query: PostQuery) -> Awaitable[Listing]:
    """A page of the posts the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_post(db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID) -> Awaitable[Row]:
    """One post; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, post_id)


def create_post(
    db: AsyncConnection,
    user: AuthUser,
    data: PostCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a post owned by the caller, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent, owner_id=user.id)


def replace_post(
    db: AsyncConnection,
    user: AuthUser | None,
    post_id: uuid.UUID,
    data: PostCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a post (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, post_id, data.model_dump(), if_match, "replace")


def update_post(
    db: AsyncConnection,
    user: AuthUser | None,
    post_id: uuid.UUID,
    data: PostUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, post_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_post(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a post (softly: kept, but marked deleted)."""
    return SERVICE.delete(db, user, post_id, if_match)


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
        "limit": query.limit,
        **query.paging(),
    }
    load = partial(repo.list_post_tags, db, post_id, **params)
    view = f"post_tags:{post_id}"
    return await cache.current().page(
        tag_service.ENTITY, view, params, ttl=tag_service.TTL, load=load
    )


async def group_post_tags(
    db: AsyncConnection, user: AuthUser | None, parents: Sequence[uuid.UUID], query: TagQuery
) -> dict[uuid.UUID, list[Row]]:
    """The first tags linked to each of ``parents`` the caller may read, as :func:`list_post_tags` lists them (a parent it may not read is left out: that list is a 404): a statement for the parents, one for the rows."""
    authorize(RULES["read"], user)
    authorize(tag_service.RULES["list"], user)
    readable = await visible_ids(db, user, parents)
    return await repo.group_post_tags(
        db,
        [parent for parent in parents if parent in readable],
        filters=query.filters(),
        sort=query.sort,
        limit=query.limit,
    )


async def link_post_tags(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, tag_id: uuid.UUID
) -> None:
    """Link a tag; linking twice changes nothing."""
    await SERVICE.check_link(
        db, user, post_id, tag_service.is_visible, tag_id, tag_service.NOT_FOUND
    )
    await repo.link_post_tags(db, post_id, tag_id)
    detail = {"relation": "tags", "target_id": str(tag_id)}
    await audit.record(db, user, "link", ENTITY, post_id, detail)
    await db.commit()
    await cache.current().invalidate("tags")


async def unlink_post_tags(
    db: AsyncConnection, user: AuthUser | None, post_id: uuid.UUID, tag_id: uuid.UUID
) -> None:
    """Remove the link to a tag, if there is one."""
    await SERVICE.check_link(
        db, user, post_id, tag_service.is_visible, tag_id, tag_service.NOT_FOUND
    )
    await repo.unlink_post_tags(db, post_id, tag_id)
    detail = {"relation": "tags", "target_id": str(tag_id)}
    await audit.record(db, user, "unlink", ENTITY, post_id, detail)
    await db.commit()
    await cache.current().invalidate("tags")
