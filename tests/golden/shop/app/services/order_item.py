"""Rules of order items: who may do what, and what is theirs alone.

Order items are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references, parent (orders).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import order_item as domain_hooks
from app.repositories import order_item as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.order_item import (
    OrderItemCreate,
    OrderItemNestedCreate,
    OrderItemNestedQuery,
    OrderItemQuery,
    OrderItemStatsQuery,
    OrderItemUpdate,
)
from app.services import order as order_service
from app.services import product as product_service
from app.services.base import Listing, NestedEntityService, Parent, Scope
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("authenticated"),
    "read": Rule("authenticated"),
    "create": Rule("roles", frozenset({"admin", "customer"})),
    "update": Rule("roles", frozenset({"admin"})),
    "delete": Rule("roles", frozenset({"admin"})),
}
NOT_FOUND = "Order item not found."
ENTITY = "order_items"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "order_id": ("order", order_service.is_visible),
        "product_id": ("product", product_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = NestedEntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/order_items/{row['id']}",
    get_row=repo.get_order_item,
    row_exists=repo.order_item_exists,
    list_rows=repo.list_order_items,
    insert_row=repo.insert_order_item,
    update_row=repo.update_order_item,
    delete_row=repo.delete_order_item,
    hooks=domain_hooks,
    check=_check_references,
    parent=Parent("order_id", order_service),
    scope=Scope("order_id", order_service, owned=True),
    stats_rows=repo.stats_order_items,
)


# Whether a caller may see an order item: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_order_items(
    db: AsyncConnection, user: AuthUser | None, query: OrderItemQuery
) -> Awaitable[Listing]:
    """A page of the order items the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_order_item(
    db: AsyncConnection, user: AuthUser | None, order_item_id: uuid.UUID
) -> Awaitable[Row]:
    """One order item; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, order_item_id)


def create_order_item(
    db: AsyncConnection,
    user: AuthUser | None,
    data: OrderItemCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create an order item, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def list_order_order_items(
    db: AsyncConnection,
    user: AuthUser | None,
    order_id: uuid.UUID,
    query: OrderItemNestedQuery,
) -> Awaitable[Listing]:
    """The order items of one order; 404 if it is not visible."""
    return SERVICE.page_under(db, user, order_id, query)


def create_order_order_item(
    db: AsyncConnection,
    user: AuthUser | None,
    order_id: uuid.UUID,
    data: OrderItemNestedCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create an order item under a order the caller can see."""
    return SERVICE.create_under(db, user, order_id, data.model_dump(), idempotent)


def replace_order_item(
    db: AsyncConnection,
    user: AuthUser | None,
    order_item_id: uuid.UUID,
    data: OrderItemCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of an order item (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, order_item_id, data.model_dump(), if_match, "replace")


def update_order_item(
    db: AsyncConnection,
    user: AuthUser | None,
    order_item_id: uuid.UUID,
    data: OrderItemUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, order_item_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_order_item(
    db: AsyncConnection,
    user: AuthUser | None,
    order_item_id: uuid.UUID,
    if_match: str | None = None,
) -> Awaitable[None]:
    """Delete an order item."""
    return SERVICE.delete(db, user, order_item_id, if_match)


async def stats_order_items(
    db: AsyncConnection, user: AuthUser | None, query: OrderItemStatsQuery
) -> list[dict[str, Any]]:
    """Grouped counts and sums of the order items the caller may list."""
    return await SERVICE.stats(db, user, query.filters(), list(dict.fromkeys(query.group_by)))
