"""The fast path's endpoints (app.fastpath): GET by id, the list and POST create of
each entity, as plain Starlette endpoints standing in for their FastAPI routes.

Each does by hand what FastAPI does for its route in app/api/routes/, in the same order
and with the same answers: the rate limit of its router (app.api.router), the
connection, the caller and its rule, then the path parameter, the query string or the
body and the Idempotency-Key header (app.api.bodies reads and validates them as FastAPI
does). tests/test_fast_path.py compares them request for request with FastAPI's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response

from app.api.bodies import query_model, read_json, validated
from app.api.deps import connect, get_current_user, get_optional_user, rate_limit
from app.api.headers import idempotent_request
from app.api.routes import appointment as appointment_routes
from app.api.routes import doctor as doctor_routes
from app.api.routes import invoice as invoice_routes
from app.api.routes import patient as patient_routes
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import appointment as appointment_schemas
from app.schemas import doctor as doctor_schemas
from app.schemas import invoice as invoice_schemas
from app.schemas import patient as patient_schemas
from app.services import appointment as appointment_service
from app.services import doctor as doctor_service
from app.services import invoice as invoice_service
from app.services import patient as patient_service

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of doctors.
doctor_limit = rate_limit("doctor")


async def list_doctors(request: Request) -> Response:
    """``GET /doctors``, for :func:`app.api.routes.doctor.list_doctors`."""
    await doctor_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(doctor_service.RULES["list"], user)
        query = query_model(doctor_schemas.DoctorQuery, request)
        rows, total = await doctor_service.list_doctors(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_doctor(request: Request) -> Response:
    """``POST /doctors``, for :func:`app.api.routes.doctor.create_doctor`."""
    await doctor_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(doctor_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(doctor_schemas.DoctorCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await doctor_service.create_doctor(db, user, body, idempotency))


async def get_doctor(request: Request) -> Response:
    """``GET /doctors/{id}``, for :func:`app.api.routes.doctor.get_doctor`."""
    await doctor_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(doctor_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await doctor_service.get_doctor(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of patients.
patient_limit = rate_limit("patient")


async def list_patients(request: Request) -> Response:
    """``GET /patients``, for :func:`app.api.routes.patient.list_patients`."""
    await patient_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(patient_service.RULES["list"], user)
        query = query_model(patient_schemas.PatientQuery, request)
        rows, total = await patient_service.list_patients(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_patient(request: Request) -> Response:
    """``POST /patients``, for :func:`app.api.routes.patient.create_patient`."""
    await patient_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(patient_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(patient_schemas.PatientCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await patient_service.create_patient(db, user, body, idempotency))


async def get_patient(request: Request) -> Response:
    """``GET /patients/{id}``, for :func:`app.api.routes.patient.get_patient`."""
    await patient_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(patient_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await patient_service.get_patient(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of appointments.
appointment_limit = rate_limit("appointment")


async def list_appointments(request: Request) -> Response:
    """``GET /appointments``, for :func:`app.api.routes.appointment.list_appointments`."""
    await appointment_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(appointment_service.RULES["list"], user)
        query = query_model(appointment_schemas.AppointmentQuery, request)
        rows, total = await appointment_service.list_appointments(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_appointment(request: Request) -> Response:
    """``POST /appointments``, for :func:`app.api.routes.appointment.create_appointment`."""
    await appointment_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(appointment_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(appointment_schemas.AppointmentCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await appointment_service.create_appointment(db, user, body, idempotency))


async def get_appointment(request: Request) -> Response:
    """``GET /appointments/{id}``, for :func:`app.api.routes.appointment.get_appointment`."""
    await appointment_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(appointment_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await appointment_service.get_appointment(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of invoices.
invoice_limit = rate_limit("invoice")


async def list_invoices(request: Request) -> Response:
    """``GET /invoices``, for :func:`app.api.routes.invoice.list_invoices`."""
    await invoice_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(invoice_service.RULES["list"], user)
        query = query_model(invoice_schemas.InvoiceQuery, request)
        rows, total = await invoice_service.list_invoices(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_invoice(request: Request) -> Response:
    """``POST /invoices``, for :func:`app.api.routes.invoice.create_invoice`."""
    await invoice_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(invoice_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(invoice_schemas.InvoiceCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await invoice_service.create_invoice(db, user, body, idempotency))


async def get_invoice(request: Request) -> Response:
    """``GET /invoices/{id}``, for :func:`app.api.routes.invoice.get_invoice`."""
    await invoice_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(invoice_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await invoice_service.get_invoice(db, user, row_id)
    return tagged(row)


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    doctor_routes.list_doctors: list_doctors,
    doctor_routes.create_doctor: create_doctor,
    doctor_routes.get_doctor: get_doctor,
    patient_routes.list_patients: list_patients,
    patient_routes.create_patient: create_patient,
    patient_routes.get_patient: get_patient,
    appointment_routes.list_appointments: list_appointments,
    appointment_routes.create_appointment: create_appointment,
    appointment_routes.get_appointment: get_appointment,
    invoice_routes.list_invoices: list_invoices,
    invoice_routes.create_invoice: create_invoice,
    invoice_routes.get_invoice: get_invoice,
}
