"""Rules of authors: who may do what, and what is theirs alone.

Authors are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository, cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import author as domain_hooks
from app.repositories import author as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.author import AuthorCreate, AuthorQuery, AuthorUpdate
from app.services.base import EntityService, Listing

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"librarian"})),
    "update": Rule("roles", frozenset({"librarian"})),
    "delete": Rule("roles", frozenset({"librarian"})),
}
NOT_FOUND = "Author not found."
ENTITY = "authors"  # what the audit log calls these rows
TTL = 600  # seconds a cached author or page of authors may be served


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/authors/{row['id']}",
    get_row=repo.get_author,
    row_exists=repo.author_exists,
    list_rows=repo.list_authors,
    rows_by_id=repo.authors_by_id,
    realtime=True,
    insert_row=repo.insert_author,
    update_row=repo.update_author,
    delete_row=repo.delete_author,
    hooks=domain_hooks,
    ttl=TTL,
    stale_on_write=("authors",),
    stale_on_delete=("authors",),
)


# Whether a caller may see an author: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible
visible_ids = SERVICE.visible_ids


def list_authors(
    db: AsyncConnection, user: AuthUser | None, query: AuthorQuery
) -> Awaitable[Listing]:
    """A page of the authors the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_author(db: AsyncConnection, user: AuthUser | None, author_id: uuid.UUID) -> Awaitable[Row]:
    """One author; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, author_id)


def create_author(
    db: AsyncConnection,
    user: AuthUser | None,
    data: AuthorCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create an author, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def replace_author(
    db: AsyncConnection,
    user: AuthUser | None,
    author_id: uuid.UUID,
    data: AuthorCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of an author (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, author_id, data.model_dump(), if_match, "replace")


def update_author(
    db: AsyncConnection,
    user: AuthUser | None,
    author_id: uuid.UUID,
    data: AuthorUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, author_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_author(
    db: AsyncConnection, user: AuthUser | None, author_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete an author."""
    return SERVICE.delete(db, user, author_id, if_match)
