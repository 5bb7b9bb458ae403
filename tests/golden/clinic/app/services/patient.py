"""Rules of patients: who may do what, and what is theirs alone.

Patients are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import patient as domain_hooks
from app.repositories import patient as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.patient import PatientCreate, PatientQuery, PatientUpdate
from app.services.base import EntityService, Listing

RULES = {
    "list": Rule("owner_or_roles", frozenset({"receptionist"})),
    "read": Rule("owner_or_roles", frozenset({"doctor"})),
    "create": Rule("authenticated"),
    "update": Rule("owner_or_roles", frozenset({"receptionist"})),
    "delete": Rule("roles", frozenset({"admin"})),
}
NOT_FOUND = "Patient not found."
ENTITY = "patients"  # what the audit log calls these rows


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/patients/{row['id']}",
    get_row=repo.get_patient,
    row_exists=repo.patient_exists,
    list_rows=repo.list_patients,
    insert_row=repo.insert_patient,
    update_row=repo.update_patient,
    delete_row=repo.delete_patient,
    hooks=domain_hooks,
)


# Whether a caller may see a patient: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_patients(
    db: AsyncConnection, user: AuthUser | None, query: PatientQuery
) -> Awaitable[Listing]:
    """A page of the patients the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_patient(
    db: AsyncConnection, user: AuthUser | None, patient_id: uuid.UUID
) -> Awaitable[Row]:
    """One patient; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, patient_id)


def create_patient(
    db: AsyncConnection,
    user: AuthUser,
    data: PatientCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a patient owned by the caller, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(by_alias=True), idempotent, owner_id=user.id)


def replace_patient(
    db: AsyncConnection,
    user: AuthUser | None,
    patient_id: uuid.UUID,
    data: PatientCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a patient (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, patient_id, data.model_dump(by_alias=True), if_match, "replace")


def update_patient(
    db: AsyncConnection,
    user: AuthUser | None,
    patient_id: uuid.UUID,
    data: PatientUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, patient_id, data.model_dump(exclude_unset=True, by_alias=True), if_match, "update"
    )


def delete_patient(
    db: AsyncConnection, user: AuthUser | None, patient_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a patient."""
    return SERVICE.delete(db, user, patient_id, if_match)
