"""Rules of books: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import NotFoundError
from app.core.permissions import Rule, access, authorize
from app.repositories import book as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.book import BookCreate, BookQuery, BookUpdate
from app.services import author as author_service
from app.services.common import Visibility, check_references, missing

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"librarian"})),
    "update": Rule("roles", frozenset({"librarian"})),
    "delete": Rule("roles", frozenset({"librarian"})),
}
NOT_FOUND = "Book not found."


async def is_visible(db: AsyncConnection, user: AuthUser | None, book_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the book: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    return decision.allowed and await repo.book_exists(db, book_id)


async def list_books(
    db: AsyncConnection, user: AuthUser | None, query: BookQuery
) -> tuple[list[Row], int]:
    """A page of the books the caller may list, and their total."""
    authorize(RULES["list"], user)
    return await repo.list_books(
        db,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
    )


async def get_book(db: AsyncConnection, user: AuthUser | None, book_id: uuid.UUID) -> Row:
    """One book; 404 when it does not exist or the caller may not see it."""
    authorize(RULES["read"], user)
    row = await repo.get_book(db, book_id)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


async def create_book(db: AsyncConnection, user: AuthUser | None, data: BookCreate) -> Row:
    """Create a book."""
    authorize(RULES["create"], user)
    values = data.model_dump(by_alias=True)
    await _check_references(db, user, values)
    return await _insert(db, user, values)


async def replace_book(
    db: AsyncConnection, user: AuthUser | None, book_id: uuid.UUID, data: BookCreate
) -> Row:
    """Replace every writable field of a book."""
    return await _update(db, user, book_id, data.model_dump(by_alias=True))


async def update_book(
    db: AsyncConnection, user: AuthUser | None, book_id: uuid.UUID, data: BookUpdate
) -> Row:
    """Change the fields the client sent."""
    return await _update(db, user, book_id, data.model_dump(exclude_unset=True, by_alias=True))


async def delete_book(db: AsyncConnection, user: AuthUser | None, book_id: uuid.UUID) -> None:
    """Delete a book."""
    authorize(RULES["delete"], user)
    if not await repo.delete_book(db, book_id):
        raise missing(await is_visible(db, user, book_id), NOT_FOUND)
    await db.commit()


async def _insert(db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]) -> Row:
    row = await repo.insert_book(db, values)
    await db.commit()
    return row


async def _update(
    db: AsyncConnection, user: AuthUser | None, book_id: uuid.UUID, values: dict[str, Any]
) -> Row:
    authorize(RULES["update"], user)
    await _check_references(db, user, values)
    row = await repo.update_book(db, book_id, values)
    if row is None:
        raise missing(await is_visible(db, user, book_id), NOT_FOUND)
    await db.commit()
    return row


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "author_id": ("author", author_service.is_visible),
    }
    await check_references(db, user, values, references)
