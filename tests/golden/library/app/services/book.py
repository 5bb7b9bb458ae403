"""Rules of books: who may do what, and how each change is carried out."""

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
from app.repositories import book as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.book import BookCreate, BookQuery, BookUpdate
from app.services import audit
from app.services import author as author_service
from app.services.common import Visibility, check_references, checked_version, missing
from app.services.idempotency import remember, replayed

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"librarian"})),
    "update": Rule("roles", frozenset({"librarian"})),
    "delete": Rule("roles", frozenset({"librarian"})),
}
NOT_FOUND = "Book not found."
ENTITY = "books"  # what the audit log calls these rows
TTL = 300  # seconds a cached book or page of books may be served


async def is_visible(db: AsyncConnection, user: AuthUser | None, book_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the book: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    return decision.allowed and await repo.book_exists(db, book_id)


async def list_books(
    db: AsyncConnection, user: AuthUser | None, query: BookQuery
) -> tuple[list[Row], int]:
    """A page of the books the caller may list, and their total."""
    authorize(RULES["list"], user)
    params: dict[str, Any] = {
        "filters": query.filters(),
        "sort": query.sort,
        "page": query.page,
        "limit": query.limit,
    }
    load = partial(repo.list_books, db, **params)
    return await cache.current().page(ENTITY, "list", params, ttl=TTL, load=load)


async def get_book(db: AsyncConnection, user: AuthUser | None, book_id: uuid.UUID) -> Row:
    """One book; 404 when it does not exist or the caller may not see it."""
    authorize(RULES["read"], user)
    load = partial(repo.get_book, db, book_id)
    row = await cache.current().row(ENTITY, book_id, ttl=TTL, load=load)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


async def create_book(
    db: AsyncConnection,
    user: AuthUser | None,
    data: BookCreate,
    idempotent: IdempotentRequest | None = None,
) -> Created:
    """Create a book, or answer a retry with the first response."""
    authorize(RULES["create"], user)
    if (earlier := await replayed(db, idempotent)) is not None:
        return earlier
    values = data.model_dump(by_alias=True)
    await _check_references(db, user, values)
    return await _insert(db, user, values, idempotent)


async def replace_book(
    db: AsyncConnection,
    user: AuthUser | None,
    book_id: uuid.UUID,
    data: BookCreate,
    if_match: str | None = None,
) -> Row:
    """Replace every writable field of a book (of the version If-Match names, if any)."""
    return await _update(db, user, book_id, data.model_dump(by_alias=True), if_match, "replace")


async def update_book(
    db: AsyncConnection,
    user: AuthUser | None,
    book_id: uuid.UUID,
    data: BookUpdate,
    if_match: str | None = None,
) -> Row:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return await _update(
        db, user, book_id, data.model_dump(exclude_unset=True, by_alias=True), if_match, "update"
    )


async def delete_book(
    db: AsyncConnection, user: AuthUser | None, book_id: uuid.UUID, if_match: str | None = None
) -> None:
    """Delete a book."""
    authorize(RULES["delete"], user)
    seen = await _version(db, user, book_id, if_match)
    if not await repo.delete_book(db, book_id, seen=seen):
        raise await _missed(db, user, book_id, seen)
    await audit.record(db, user, "delete", ENTITY, book_id)
    await db.commit()
    await cache.current().invalidate("books", "loans")


async def _insert(
    db: AsyncConnection,
    user: AuthUser | None,
    values: dict[str, Any],
    idempotent: IdempotentRequest | None,
) -> Created:
    # The row, its audit entry and the stored response commit together, or not at all.
    row = await repo.insert_book(db, values)
    await audit.record(db, user, "create", ENTITY, row["id"])
    result = Created(row, location=f"/api/v1/books/{row['id']}")
    await remember(db, idempotent, result)
    await db.commit()
    await cache.current().invalidate("books")
    return result


async def _update(
    db: AsyncConnection,
    user: AuthUser | None,
    book_id: uuid.UUID,
    values: dict[str, Any],
    if_match: str | None,
    action: audit.Action,
) -> Row:
    authorize(RULES["update"], user)
    await _check_references(db, user, values)
    seen = await _version(db, user, book_id, if_match)
    row = await repo.update_book(db, book_id, values, seen=seen)
    if row is None:
        raise await _missed(db, user, book_id, seen)
    await audit.record(db, user, action, ENTITY, book_id, {"fields": sorted(values)})
    await db.commit()
    await cache.current().invalidate("books")
    return row


async def _version(
    db: AsyncConnection,
    user: AuthUser | None,
    book_id: uuid.UUID,
    if_match: str | None,
) -> datetime | None:
    """The version (``updated_at``) a conditional write must still find, or ``None``.

    ``If-Match: *`` asks only that the row exist, which every write checks anyway. The
    row is read from the database, never from the cache: the compare-and-set needs the
    version that is current now.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    current = await repo.get_book(db, book_id)
    if current is None:
        raise missing(await is_visible(db, user, book_id), NOT_FOUND)
    return checked_version(if_match, current)


async def _missed(
    db: AsyncConnection, user: AuthUser | None, book_id: uuid.UUID, seen: datetime | None
) -> AppError:
    # The write matched no row. A conditional one found the row a moment ago, so it
    # changed in between: 412. Otherwise it is not the caller's (403) or not there (404).
    if seen is not None:
        return PreconditionFailed()
    return missing(await is_visible(db, user, book_id), NOT_FOUND)


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "author_id": ("author", author_service.is_visible),
    }
    await check_references(db, user, values, references)
