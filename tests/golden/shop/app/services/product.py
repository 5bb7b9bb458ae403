"""Rules of products: who may do what, and what is theirs alone.

Products are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository, cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.core.rules import RowRule
from app.domain import product as domain_hooks
from app.repositories import product as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.product import ProductCreate, ProductQuery, ProductUpdate
from app.services.base import EntityService, Listing

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"admin"})),
    "update": Rule("roles", frozenset({"admin"})),
    "delete": Rule("roles", frozenset({"admin"})),
    "restock": Rule("roles", frozenset({"admin"})),
}
NOT_FOUND = "Product not found."
ENTITY = "products"  # what the audit log calls these rows
TTL = 60  # seconds a cached product or page of products may be served


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/products/{row['id']}",
    get_row=repo.get_product,
    row_exists=repo.product_exists,
    list_rows=repo.list_products,
    insert_row=repo.insert_product,
    update_row=repo.update_product,
    delete_row=repo.delete_product,
    hooks=domain_hooks,
    ttl=TTL,
    stale_on_write=("products",),
    stale_on_delete=("products",),
    row_rules=(RowRule("sale_price", "<", "price"),),
)


# Whether a caller may see a product: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_products(
    db: AsyncConnection, user: AuthUser | None, query: ProductQuery
) -> Awaitable[Listing]:
    """A page of the products the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_product(
    db: AsyncConnection, user: AuthUser | None, product_id: uuid.UUID
) -> Awaitable[Row]:
    """One product; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, product_id)


def create_product(
    db: AsyncConnection,
    user: AuthUser | None,
    data: ProductCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a product, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def replace_product(
    db: AsyncConnection,
    user: AuthUser | None,
    product_id: uuid.UUID,
    data: ProductCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a product (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, product_id, data.model_dump(), if_match, "replace")


def update_product(
    db: AsyncConnection,
    user: AuthUser | None,
    product_id: uuid.UUID,
    data: ProductUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, product_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_product(
    db: AsyncConnection, user: AuthUser | None, product_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a product."""
    return SERVICE.delete(db, user, product_id, if_match)


def restock_product(
    db: AsyncConnection, user: AuthUser | None, product_id: uuid.UUID
) -> Awaitable[Row]:
    """Run the handler ``restock`` of app/domain/product.py on a product."""
    return SERVICE.act(db, user, product_id, "restock", RULES["restock"])
