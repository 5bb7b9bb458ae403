"""Rules of books: who may do what, and what is theirs alone.

Books are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references, cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import book as domain_hooks
from app.repositories import book as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.book import BookCreate, BookQuery, BookUpdate
from app.services import author as author_service
from app.services.base import EntityService, Listing
from app.services.common import Visibility, check_references

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


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "author_id": ("author", author_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/books/{row['id']}",
    get_row=repo.get_book,
    row_exists=repo.book_exists,
    list_rows=repo.list_books,
    rows_by_id=repo.books_by_id,
    realtime=True,
    insert_row=repo.insert_book,
    update_row=repo.update_book,
    delete_row=repo.delete_book,
    hooks=domain_hooks,
    check=_check_references,
    ttl=TTL,
    stale_on_write=("books",),
    stale_on_delete=(
        "books",
        "loans",
    ),
)


# Whether a caller may see a book: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible
visible_ids = SERVICE.visible_ids


def list_books(db: AsyncConnection, user: AuthUser | None, query: BookQuery) -> Awaitable[Listing]:
    """A page of the books the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_book(db: AsyncConnection, user: AuthUser | None, book_id: uuid.UUID) -> Awaitable[Row]:
    """One book; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, book_id)


def create_book(
    db: AsyncConnection,
    user: AuthUser | None,
    data: BookCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a book, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(by_alias=True), idempotent)


def replace_book(
    db: AsyncConnection,
    user: AuthUser | None,
    book_id: uuid.UUID,
    data: BookCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a book (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, book_id, data.model_dump(by_alias=True), if_match, "replace")


def update_book(
    db: AsyncConnection,
    user: AuthUser | None,
    book_id: uuid.UUID,
    data: BookUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, book_id, data.model_dump(exclude_unset=True, by_alias=True), if_match, "update"
    )


def delete_book(
    db: AsyncConnection, user: AuthUser | None, book_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a book."""
    return SERVICE.delete(db, user, book_id, if_match)
