"""Rules of authors: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import NotFoundError
from app.core.permissions import Rule, access, authorize
from app.repositories import author as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.author import AuthorCreate, AuthorQuery, AuthorUpdate
from app.services.common import missing

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"librarian"})),
    "update": Rule("roles", frozenset({"librarian"})),
    "delete": Rule("roles", frozenset({"librarian"})),
}
NOT_FOUND = "Author not found."


async def is_visible(db: AsyncConnection, user: AuthUser | None, author_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the author: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    return decision.allowed and await repo.author_exists(db, author_id)


async def list_authors(
    db: AsyncConnection, user: AuthUser | None, query: AuthorQuery
) -> tuple[list[Row], int]:
    """A page of the authors the caller may list, and their total."""
    authorize(RULES["list"], user)
    return await repo.list_authors(
        db,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
    )


async def get_author(db: AsyncConnection, user: AuthUser | None, author_id: uuid.UUID) -> Row:
    """One author; 404 when it does not exist or the caller may not see it."""
    authorize(RULES["read"], user)
    row = await repo.get_author(db, author_id)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


async def create_author(db: AsyncConnection, user: AuthUser | None, data: AuthorCreate) -> Row:
    """Create an author."""
    authorize(RULES["create"], user)
    values = data.model_dump()
    return await _insert(db, user, values)


async def replace_author(
    db: AsyncConnection, user: AuthUser | None, author_id: uuid.UUID, data: AuthorCreate
) -> Row:
    """Replace every writable field of an author."""
    return await _update(db, user, author_id, data.model_dump())


async def update_author(
    db: AsyncConnection, user: AuthUser | None, author_id: uuid.UUID, data: AuthorUpdate
) -> Row:
    """Change the fields the client sent."""
    return await _update(db, user, author_id, data.model_dump(exclude_unset=True))


async def delete_author(db: AsyncConnection, user: AuthUser | None, author_id: uuid.UUID) -> None:
    """Delete an author."""
    authorize(RULES["delete"], user)
    if not await repo.delete_author(db, author_id):
        raise missing(await is_visible(db, user, author_id), NOT_FOUND)
    await db.commit()


async def _insert(db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]) -> Row:
    row = await repo.insert_author(db, values)
    await db.commit()
    return row


async def _update(
    db: AsyncConnection, user: AuthUser | None, author_id: uuid.UUID, values: dict[str, Any]
) -> Row:
    authorize(RULES["update"], user)
    row = await repo.update_author(db, author_id, values)
    if row is None:
        raise missing(await is_visible(db, user, author_id), NOT_FOUND)
    await db.commit()
    return row
