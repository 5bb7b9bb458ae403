"""Rules of categories: who may do what, and what is theirs alone.

Categories are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import category as domain_hooks
from app.repositories import category as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.category import CategoryCreate, CategoryQuery, CategoryUpdate
from app.services.base import EntityService, Listing

RULES = {
    "list": Rule("authenticated"),
    "read": Rule("authenticated"),
    "create": Rule("roles", frozenset({"manager"})),
    "update": Rule("roles", frozenset({"manager"})),
    "delete": Rule("roles", frozenset({"manager"})),
}
NOT_FOUND = "Category not found."
ENTITY = "categories"  # what the audit log calls these rows


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/categories/{row['id']}",
    get_row=repo.get_category,
    row_exists=repo.category_exists,
    list_rows=repo.list_categories,
    insert_row=repo.insert_category,
    update_row=repo.update_category,
    delete_row=repo.delete_category,
    hooks=domain_hooks,
)


# Whether a caller may see a category: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_categories(
    db: AsyncConnection, user: AuthUser | None, query: CategoryQuery
) -> Awaitable[Listing]:
    """A page of the categories the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_category(
    db: AsyncConnection, user: AuthUser | None, category_id: uuid.UUID
) -> Awaitable[Row]:
    """One category; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, category_id)


def create_category(
    db: AsyncConnection,
    user: AuthUser | None,
    data: CategoryCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a category, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def replace_category(
    db: AsyncConnection,
    user: AuthUser | None,
    category_id: uuid.UUID,
    data: CategoryCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a category (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, category_id, data.model_dump(), if_match, "replace")


def update_category(
    db: AsyncConnection,
    user: AuthUser | None,
    category_id: uuid.UUID,
    data: CategoryUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, category_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_category(
    db: AsyncConnection, user: AuthUser | None, category_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a category."""
    return SERVICE.delete(db, user, category_id, if_match)
