"""Rules of tags: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import NotFoundError
from app.core.permissions import Rule, access, authorize
from app.repositories import tag as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.tag import TagCreate, TagQuery, TagUpdate
from app.services.common import missing

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"admin", "author"})),
    "update": Rule("roles", frozenset({"admin"})),
    "delete": Rule("roles", frozenset({"admin"})),
}
NOT_FOUND = "Tag not found."


async def is_visible(db: AsyncConnection, user: AuthUser | None, tag_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the tag: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    return decision.allowed and await repo.tag_exists(db, tag_id)


async def list_tags(
    db: AsyncConnection, user: AuthUser | None, query: TagQuery
) -> tuple[list[Row], int]:
    """A page of the tags the caller may list, and their total."""
    authorize(RULES["list"], user)
    return await repo.list_tags(
        db,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
    )


async def get_tag(db: AsyncConnection, user: AuthUser | None, tag_id: uuid.UUID) -> Row:
    """One tag; 404 when it does not exist or the caller may not see it."""
    authorize(RULES["read"], user)
    row = await repo.get_tag(db, tag_id)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


async def create_tag(db: AsyncConnection, user: AuthUser | None, data: TagCreate) -> Row:
    """Create a tag."""
    authorize(RULES["create"], user)
    values = data.model_dump()
    return await _insert(db, user, values)


async def replace_tag(
    db: AsyncConnection, user: AuthUser | None, tag_id: uuid.UUID, data: TagCreate
) -> Row:
    """Replace every writable field of a tag."""
    return await _update(db, user, tag_id, data.model_dump())


async def update_tag(
    db: AsyncConnection, user: AuthUser | None, tag_id: uuid.UUID, data: TagUpdate
) -> Row:
    """Change the fields the client sent."""
    return await _update(db, user, tag_id, data.model_dump(exclude_unset=True))


async def delete_tag(db: AsyncConnection, user: AuthUser | None, tag_id: uuid.UUID) -> None:
    """Delete a tag."""
    authorize(RULES["delete"], user)
    if not await repo.delete_tag(db, tag_id):
        raise missing(await is_visible(db, user, tag_id), NOT_FOUND)
    await db.commit()


async def _insert(db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]) -> Row:
    row = await repo.insert_tag(db, values)
    await db.commit()
    return row


async def _update(
    db: AsyncConnection, user: AuthUser | None, tag_id: uuid.UUID, values: dict[str, Any]
) -> Row:
    authorize(RULES["update"], user)
    row = await repo.update_tag(db, tag_id, values)
    if row is None:
        raise missing(await is_visible(db, user, tag_id), NOT_FOUND)
    await db.commit()
    return row
