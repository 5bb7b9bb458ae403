"""Rules of items: who may do what, and what is theirs alone.

Items are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import item as domain_hooks
from app.repositories import item as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.item import ItemCreate, ItemQuery, ItemUpdate
from app.services import category as category_service
from app.services.base import EntityService, Listing
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("authenticated"),
    "read": Rule("authenticated"),
    "create": Rule("roles", frozenset({"manager"})),
    "update": Rule("roles", frozenset({"clerk", "manager"})),
    "delete": Rule("roles", frozenset({"manager"})),
}
NOT_FOUND = "Item not found."
ENTITY = "items"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "category_id": ("category", category_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/items/{row['id']}",
    get_row=repo.get_item,
    row_exists=repo.item_exists,
    list_rows=repo.list_items,
    insert_row=repo.insert_item,
    update_row=repo.update_item,
    delete_row=repo.delete_item,
    hooks=domain_hooks,
    check=_check_references,
)


# Whether a caller may see an item: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_items(db: AsyncConnection, user: AuthUser | None, query: ItemQuery) -> Awaitable[Listing]:
    """A page of the items the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_item(db: AsyncConnection, user: AuthUser | None, item_id: uuid.UUID) -> Awaitable[Row]:
    """One item; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, item_id)


def create_item(
    db: AsyncConnection,
    user: AuthUser | None,
    data: ItemCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create an item, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(by_alias=True), idempotent)


def replace_item(
    db: AsyncConnection,
    user: AuthUser | None,
    item_id: uuid.UUID,
    data: ItemCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of an item (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, item_id, data.model_dump(by_alias=True), if_match, "replace")


def update_item(
    db: AsyncConnection,
    user: AuthUser | None,
    item_id: uuid.UUID,
    data: ItemUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, item_id, data.model_dump(exclude_unset=True, by_alias=True), if_match, "update"
    )


def delete_item(
    db: AsyncConnection, user: AuthUser | None, item_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete an item."""
    return SERVICE.delete(db, user, item_id, if_match)
