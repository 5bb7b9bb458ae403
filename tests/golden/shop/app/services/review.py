"""Rules of reviews: who may do what, and what is theirs alone.

Reviews are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.cursors import Position
from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import review as domain_hooks
from app.repositories import review as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.review import ReviewCreate, ReviewQuery, ReviewUpdate
from app.services import product as product_service
from app.services.base import EntityService, Listing
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("authenticated"),
    "update": Rule("owner"),
    "delete": Rule("owner_or_roles", frozenset({"admin"})),
}
NOT_FOUND = "Review not found."
ENTITY = "reviews"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "product_id": ("product", product_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/reviews/{row['id']}",
    get_row=repo.get_review,
    row_exists=repo.review_exists,
    list_rows=repo.list_reviews,
    insert_row=repo.insert_review,
    update_row=repo.update_review,
    delete_row=repo.delete_review,
    hooks=domain_hooks,
    check=_check_references,
)


# Whether a caller may see a review: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_reviews(
    db: AsyncConnection, user: AuthUser | None, query: ReviewQuery, after: Position | None
) -> Awaitable[Listing]:
    """The reviews the caller may list after ``after`` (from the first without it), and the position after them when more follow."""
    return SERVICE.page(db, user, query, after)


def get_review(db: AsyncConnection, user: AuthUser | None, review_id: uuid.UUID) -> Awaitable[Row]:
    """One review; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, review_id)


def create_review(
    db: AsyncConnection,
    user: AuthUser,
    data: ReviewCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a review owned by the caller, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent, owner_id=user.id)


def replace_review(
    db: AsyncConnection,
    user: AuthUser | None,
    review_id: uuid.UUID,
    data: ReviewCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a review (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, review_id, data.model_dump(), if_match, "replace")


def update_review(
    db: AsyncConnection,
    user: AuthUser | None,
    review_id: uuid.UUID,
    data: ReviewUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, review_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_review(
    db: AsyncConnection, user: AuthUser | None, review_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a review."""
    return SERVICE.delete(db, user, review_id, if_match)
