"""Rules of stock levels: who may do what, and what is theirs alone.

Stock levels are read, listed and written as every entity's rows are
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
from app.domain import stock as domain_hooks
from app.repositories import stock as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.stock import StockCreate, StockQuery, StockUpdate
from app.services import item as item_service
from app.services import location as location_service
from app.services.base import EntityService, Listing
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("authenticated"),
    "read": Rule("authenticated"),
    "create": Rule("roles", frozenset({"clerk", "manager"})),
    "update": Rule("roles", frozenset({"clerk", "manager"})),
    "delete": Rule("roles", frozenset({"manager"})),
}
NOT_FOUND = "Stock not found."
ENTITY = "stock_levels"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "item_id": ("item", item_service.is_visible),
        "location_id": ("location", location_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/stock_levels/{row['id']}",
    get_row=repo.get_stock,
    row_exists=repo.stock_exists,
    list_rows=repo.list_stock_levels,
    insert_row=repo.insert_stock,
    update_row=repo.update_stock,
    delete_row=repo.delete_stock,
    hooks=domain_hooks,
    check=_check_references,
)


# Whether a caller may see a stock: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_stock_levels(
    db: AsyncConnection, user: AuthUser | None, query: StockQuery
) -> Awaitable[Listing]:
    """A page of the stock levels the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_stock(db: AsyncConnection, user: AuthUser | None, stock_id: uuid.UUID) -> Awaitable[Row]:
    """One stock; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, stock_id)


def create_stock(
    db: AsyncConnection,
    user: AuthUser | None,
    data: StockCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a stock, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def replace_stock(
    db: AsyncConnection,
    user: AuthUser | None,
    stock_id: uuid.UUID,
    data: StockCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a stock (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, stock_id, data.model_dump(), if_match, "replace")


def update_stock(
    db: AsyncConnection,
    user: AuthUser | None,
    stock_id: uuid.UUID,
    data: StockUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, stock_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_stock(
    db: AsyncConnection, user: AuthUser | None, stock_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a stock."""
    return SERVICE.delete(db, user, stock_id, if_match)
