"""Rules of orders: who may do what, and what is theirs alone.

Orders are read, listed and written as every entity's rows are
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
from app.domain import order as domain_hooks
from app.repositories import order as repo
from app.repositories.base import Row, utcnow
from app.schemas.auth import AuthUser
from app.schemas.order import OrderCreate, OrderQuery, OrderStatsQuery, OrderUpdate
from app.services import customer as customer_service
from app.services.base import EntityService, Listing, Transition
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("owner_or_roles", frozenset({"admin"})),
    "read": Rule("owner_or_roles", frozenset({"admin"})),
    "create": Rule("authenticated"),
    "update": Rule("owner_or_roles", frozenset({"admin"})),
    "delete": Rule("roles", frozenset({"admin"})),
    "place": Rule("owner"),
    "pay": Rule("roles", frozenset({"admin"})),
    "ship": Rule("roles", frozenset({"admin"})),
    "cancel": Rule("owner_or_roles", frozenset({"admin"})),
}
NOT_FOUND = "Order not found."
ENTITY = "orders"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "customer_id": ("customer", customer_service.is_visible),
    }
    await check_references(db, user, values, references)


TRANSITIONS = {
    "place": Transition(
        name="place",
        field="status",
        sources=("draft",),
        target="placed",
        rule=RULES["place"],
        label="order",
        values=lambda: {"placed_at": utcnow()},
    ),
    "pay": Transition(
        name="pay",
        field="status",
        sources=("placed",),
        target="paid",
        rule=RULES["pay"],
        label="order",
        values=lambda: {"paid_at": utcnow()},
        event="order.paid",
    ),
    "ship": Transition(
        name="ship",
        field="status",
        sources=("paid",),
        target="shipped",
        rule=RULES["ship"],
        label="order",
        values=lambda: {"shipped_on": utcnow().date()},
        event="order.shipped",
    ),
    "cancel": Transition(
        name="cancel",
        field="status",
        sources=("draft", "placed"),
        target="cancelled",
        rule=RULES["cancel"],
        label="order",
    ),
}


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/orders/{row['id']}",
    get_row=repo.get_order,
    row_exists=repo.order_exists,
    list_rows=repo.list_orders,
    insert_row=repo.insert_order,
    update_row=repo.update_order,
    delete_row=repo.delete_order,
    hooks=domain_hooks,
    check=_check_references,
    transition_row=repo.transition_order,
    stats_rows=repo.stats_orders,
)


# Whether a caller may see an order: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_orders(
    db: AsyncConnection, user: AuthUser | None, query: OrderQuery
) -> Awaitable[Listing]:
    """A page of the orders the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_order(db: AsyncConnection, user: AuthUser | None, order_id: uuid.UUID) -> Awaitable[Row]:
    """One order; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, order_id)


def create_order(
    db: AsyncConnection,
    user: AuthUser,
    data: OrderCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create an order owned by the caller, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent, owner_id=user.id)


def replace_order(
    db: AsyncConnection,
    user: AuthUser | None,
    order_id: uuid.UUID,
    data: OrderCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of an order (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, order_id, data.model_dump(), if_match, "replace")


def update_order(
    db: AsyncConnection,
    user: AuthUser | None,
    order_id: uuid.UUID,
    data: OrderUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, order_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_order(
    db: AsyncConnection, user: AuthUser | None, order_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete an order."""
    return SERVICE.delete(db, user, order_id, if_match)


def place_order(
    db: AsyncConnection, user: AuthUser | None, order_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[Row]:
    """Move an order from draft to placed (of the version If-Match names, if any)."""
    return SERVICE.transition(db, user, order_id, TRANSITIONS["place"], if_match)


def pay_order(
    db: AsyncConnection, user: AuthUser | None, order_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[Row]:
    """Move an order from placed to paid (of the version If-Match names, if any)."""
    return SERVICE.transition(db, user, order_id, TRANSITIONS["pay"], if_match)


def ship_order(
    db: AsyncConnection, user: AuthUser | None, order_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[Row]:
    """Move an order from paid to shipped (of the version If-Match names, if any)."""
    return SERVICE.transition(db, user, order_id, TRANSITIONS["ship"], if_match)


def cancel_order(
    db: AsyncConnection, user: AuthUser | None, order_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[Row]:
    """Move an order from draft or placed to cancelled (of the version If-Match names, if any)."""
    return SERVICE.transition(db, user, order_id, TRANSITIONS["cancel"], if_match)


async def stats_orders(
    db: AsyncConnection, user: AuthUser | None, query: OrderStatsQuery
) -> list[dict[str, Any]]:
    """Grouped counts and sums of the orders the caller may list."""
    return await SERVICE.stats(db, user, query.filters(), list(dict.fromkeys(query.group_by)))
