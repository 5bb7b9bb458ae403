"""Rules of doctors: who may do what, and what is theirs alone.

Doctors are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import doctor as domain_hooks
from app.repositories import doctor as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.doctor import DoctorCreate, DoctorQuery, DoctorUpdate
from app.services.base import EntityService, Listing

RULES = {
    "list": Rule("anyone"),
    "read": Rule("anyone"),
    "create": Rule("roles", frozenset({"admin"})),
    "update": Rule("roles", frozenset({"admin"})),
    "delete": Rule("roles", frozenset({"admin"})),
}
NOT_FOUND = "Doctor not found."
ENTITY = "doctors"  # what the audit log calls these rows


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/doctors/{row['id']}",
    get_row=repo.get_doctor,
    row_exists=repo.doctor_exists,
    list_rows=repo.list_doctors,
    insert_row=repo.insert_doctor,
    update_row=repo.update_doctor,
    delete_row=repo.delete_doctor,
    hooks=domain_hooks,
)


# Whether a caller may see a doctor: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_doctors(
    db: AsyncConnection, user: AuthUser | None, query: DoctorQuery
) -> Awaitable[Listing]:
    """A page of the doctors the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_doctor(db: AsyncConnection, user: AuthUser | None, doctor_id: uuid.UUID) -> Awaitable[Row]:
    """One doctor; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, doctor_id)


def create_doctor(
    db: AsyncConnection,
    user: AuthUser | None,
    data: DoctorCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a doctor, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def replace_doctor(
    db: AsyncConnection,
    user: AuthUser | None,
    doctor_id: uuid.UUID,
    data: DoctorCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a doctor (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, doctor_id, data.model_dump(), if_match, "replace")


def update_doctor(
    db: AsyncConnection,
    user: AuthUser | None,
    doctor_id: uuid.UUID,
    data: DoctorUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, doctor_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_doctor(
    db: AsyncConnection, user: AuthUser | None, doctor_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a doctor."""
    return SERVICE.delete(db, user, doctor_id, if_match)
