"""Rules of appointments: who may do what, and what is theirs alone.

Appointments are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references, jobs.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import appointment as domain_hooks
from app.repositories import appointment as repo
from app.repositories.base import Row
from app.schemas.appointment import AppointmentCreate, AppointmentQuery, AppointmentUpdate
from app.schemas.auth import AuthUser
from app.services import doctor as doctor_service
from app.services import patient as patient_service
from app.services.base import EntityService, Listing
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("owner_or_roles", frozenset({"receptionist"})),
    "read": Rule("owner_or_roles", frozenset({"doctor"})),
    "create": Rule("roles", frozenset({"admin", "receptionist"})),
    "update": Rule("owner_or_roles", frozenset({"receptionist"})),
    "delete": Rule("roles", frozenset({"admin"})),
}
NOT_FOUND = "Appointment not found."
ENTITY = "appointments"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "patient_id": ("patient", patient_service.is_visible),
        "doctor_id": ("doctor", doctor_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/appointments/{row['id']}",
    get_row=repo.get_appointment,
    row_exists=repo.appointment_exists,
    list_rows=repo.list_appointments,
    insert_row=repo.insert_appointment,
    update_row=repo.update_appointment,
    delete_row=repo.delete_appointment,
    hooks=domain_hooks,
    check=_check_references,
    created_event="appointment.created",
)


# Whether a caller may see an appointment: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_appointments(
    db: AsyncConnection, user: AuthUser | None, query: AppointmentQuery
) -> Awaitable[Listing]:
    """A page of the appointments the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_appointment(
    db: AsyncConnection, user: AuthUser | None, appointment_id: uuid.UUID
) -> Awaitable[Row]:
    """One appointment; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, appointment_id)


def create_appointment(
    db: AsyncConnection,
    user: AuthUser,
    data: AppointmentCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create an appointment owned by the caller, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(by_alias=True), idempotent, owner_id=user.id)


def replace_appointment(
    db: AsyncConnection,
    user: AuthUser | None,
    appointment_id: uuid.UUID,
    data: AppointmentCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of an appointment (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, appointment_id, data.model_dump(by_alias=True), if_match, "replace"
    )


def update_appointment(
    db: AsyncConnection,
    user: AuthUser | None,
    appointment_id: uuid.UUID,
    data: AppointmentUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db,
        user,
        appointment_id,
        data.model_dump(exclude_unset=True, by_alias=True),
        if_match,
        "update",
    )


def delete_appointment(
    db: AsyncConnection,
    user: AuthUser | None,
    appointment_id: uuid.UUID,
    if_match: str | None = None,
) -> Awaitable[None]:
    """Delete an appointment."""
    return SERVICE.delete(db, user, appointment_id, if_match)
