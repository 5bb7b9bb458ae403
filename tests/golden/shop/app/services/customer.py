"""Rules of customers: who may do what, and what is theirs alone.

Customers are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import customer as domain_hooks
from app.repositories import customer as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.customer import CustomerCreate, CustomerQuery, CustomerUpdate
from app.services.base import EntityService, Listing

RULES = {
    "list": Rule("owner_or_roles", frozenset({"admin"})),
    "read": Rule("owner_or_roles", frozenset({"admin"})),
    "create": Rule("authenticated"),
    "update": Rule("owner_or_roles", frozenset({"admin"})),
    "delete": Rule("roles", frozenset({"admin"})),
}
NOT_FOUND = "Customer not found."
ENTITY = "customers"  # what the audit log calls these rows


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/customers/{row['id']}",
    get_row=repo.get_customer,
    row_exists=repo.customer_exists,
    list_rows=repo.list_customers,
    insert_row=repo.insert_customer,
    update_row=repo.update_customer,
    delete_row=repo.delete_customer,
    hooks=domain_hooks,
    readers={"support_note": frozenset({"admin"})},
    writers={"credit_limit": frozenset({"admin"}), "support_note": frozenset({"admin"})},
)


# Whether a caller may see a customer: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_customers(
    db: AsyncConnection, user: AuthUser | None, query: CustomerQuery
) -> Awaitable[Listing]:
    """A page of the customers the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_customer(
    db: AsyncConnection, user: AuthUser | None, customer_id: uuid.UUID
) -> Awaitable[Row]:
    """One customer; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, customer_id)


def create_customer(
    db: AsyncConnection,
    user: AuthUser,
    data: CustomerCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a customer owned by the caller, or answer a retry with the first response."""
    SERVICE.check_writes(user, data.model_dump(exclude_unset=True))
    return SERVICE.create(db, user, data.model_dump(), idempotent, owner_id=user.id)


def replace_customer(
    db: AsyncConnection,
    user: AuthUser | None,
    customer_id: uuid.UUID,
    data: CustomerCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a customer (of the version If-Match names, if any); those the caller's role may not set keep their values."""
    SERVICE.check_writes(user, data.model_dump(exclude_unset=True))
    return SERVICE.update(
        db, user, customer_id, SERVICE.writable(data.model_dump(), user), if_match, "replace"
    )


def update_customer(
    db: AsyncConnection,
    user: AuthUser | None,
    customer_id: uuid.UUID,
    data: CustomerUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    SERVICE.check_writes(user, data.model_dump(exclude_unset=True))
    return SERVICE.update(
        db, user, customer_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_customer(
    db: AsyncConnection, user: AuthUser | None, customer_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a customer."""
    return SERVICE.delete(db, user, customer_id, if_match)
