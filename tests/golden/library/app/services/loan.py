"""Rules of loans: who may do what, and how each change is carried out."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import NotFoundError
from app.core.permissions import Rule, access, authorize
from app.repositories import loan as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.loan import LoanCreate, LoanQuery, LoanUpdate
from app.services import book as book_service
from app.services.common import Visibility, check_references, missing

RULES = {
    "list": Rule("owner_or_roles", frozenset({"librarian"})),
    "read": Rule("owner_or_roles", frozenset({"librarian"})),
    "create": Rule("authenticated"),
    "update": Rule("owner_or_roles", frozenset({"librarian"})),
    "delete": Rule("roles", frozenset({"librarian"})),
}
NOT_FOUND = "Loan not found."


async def is_visible(db: AsyncConnection, user: AuthUser | None, loan_id: uuid.UUID) -> bool:
    """Whether ``user`` may see the loan: as itself, as a parent or as a reference."""
    decision = access(RULES["read"], user)
    return decision.allowed and await repo.loan_exists(db, loan_id, owner_id=decision.owner_id)


async def list_loans(
    db: AsyncConnection, user: AuthUser | None, query: LoanQuery
) -> tuple[list[Row], int]:
    """A page of the loans the caller may list, and their total."""
    owner_id = authorize(RULES["list"], user)
    return await repo.list_loans(
        db,
        filters=query.filters(),
        sort=query.sort,
        page=query.page,
        limit=query.limit,
        owner_id=owner_id,
    )


async def get_loan(db: AsyncConnection, user: AuthUser | None, loan_id: uuid.UUID) -> Row:
    """One loan; 404 when it does not exist or the caller may not see it."""
    owner_id = authorize(RULES["read"], user)
    row = await repo.get_loan(db, loan_id, owner_id=owner_id)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


async def create_loan(db: AsyncConnection, user: AuthUser, data: LoanCreate) -> Row:
    """Create a loan owned by the caller."""
    authorize(RULES["create"], user)
    values = data.model_dump()
    await _check_references(db, user, values)
    return await _insert(db, user, values)


async def replace_loan(
    db: AsyncConnection, user: AuthUser | None, loan_id: uuid.UUID, data: LoanCreate
) -> Row:
    """Replace every writable field of a loan."""
    return await _update(db, user, loan_id, data.model_dump())


async def update_loan(
    db: AsyncConnection, user: AuthUser | None, loan_id: uuid.UUID, data: LoanUpdate
) -> Row:
    """Change the fields the client sent."""
    return await _update(db, user, loan_id, data.model_dump(exclude_unset=True))


async def delete_loan(db: AsyncConnection, user: AuthUser | None, loan_id: uuid.UUID) -> None:
    """Delete a loan."""
    owner_id = authorize(RULES["delete"], user)
    if not await repo.delete_loan(db, loan_id, owner_id=owner_id):
        raise missing(await is_visible(db, user, loan_id), NOT_FOUND)
    await db.commit()


async def _insert(db: AsyncConnection, user: AuthUser, values: dict[str, Any]) -> Row:
    row = await repo.insert_loan(db, {**values, "owner_id": user.id})
    await db.commit()
    return row


async def _update(
    db: AsyncConnection, user: AuthUser | None, loan_id: uuid.UUID, values: dict[str, Any]
) -> Row:
    owner_id = authorize(RULES["update"], user)
    await _check_references(db, user, values)
    row = await repo.update_loan(db, loan_id, values, owner_id=owner_id)
    if row is None:
        raise missing(await is_visible(db, user, loan_id), NOT_FOUND)
    await db.commit()
    return row


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "book_id": ("book", book_service.is_visible),
    }
    await check_references(db, user, values, references)
