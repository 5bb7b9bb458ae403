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
from app.api.routes import appointment as routes_appointment
from app.api.routes import doctor as routes_doctor
from app.api.routes import invoice as routes_invoice
from app.api.routes import patient as routes_patient
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import appointment as schemas_appointment
from app.schemas import doctor as schemas_doctor
from app.schemas import invoice as schemas_invoice
from app.schemas import patient as schemas_patient
from app.services import appointment as service_appointment
from app.services import doctor as service_doctor
from app.services import invoice as service_invoice
from app.services import patient as service_patient

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of doctors.
limit_doctor = rate_limit("doctor")


async def list_doctors(request: Request) -> Response:
    """``GET /doctors``, for :func:`app.api.routes.doctor.list_doctors`."""
    await limit_doctor(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_doctor.RULES["list"], user)
        query = query_model(schemas_doctor.DoctorQuery, request)
        rows, total = await service_doctor.list_doctors(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_doctor(request: Request) -> Response:
    """``POST /doctors``, for :func:`app.api.routes.doctor.create_doctor`."""
    await limit_doctor(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_doctor.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_doctor.DoctorCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_doctor.create_doctor(db, user, body, idempotency))


async def get_doctor(request: Request) -> Response:
    """``GET /doctors/{id}``, for :func:`app.api.routes.doctor.get_doctor`."""
    await limit_doctor(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_doctor.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_doctor.get_doctor(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of patients.
limit_patient = rate_limit("patient")


async def list_patients(request: Request) -> Response:
    """``GET /patients``, for :func:`app.api.routes.patient.list_patients`."""
    await limit_patient(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_patient.RULES["list"], user)
        query = query_model(schemas_patient.PatientQuery, request)
        rows, total = await service_patient.list_patients(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_patient(request: Request) -> Response:
    """``POST /patients``, for :func:`app.api.routes.patient.create_patient`."""
    await limit_patient(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_patient.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_patient.PatientCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_patient.create_patient(db, user, body, idempotency))


async def get_patient(request: Request) -> Response:
    """``GET /patients/{id}``, for :func:`app.api.routes.patient.get_patient`."""
    await limit_patient(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_patient.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_patient.get_patient(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of appointments.
limit_appointment = rate_limit("appointment")


async def list_appointments(request: Request) -> Response:
    """``GET /appointments``, for :func:`app.api.routes.appointment.list_appointments`."""
    await limit_appointment(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_appointment.RULES["list"], user)
        query = query_model(schemas_appointment.AppointmentQuery, request)
        rows, total = await service_appointment.list_appointments(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_appointment(request: Request) -> Response:
    """``POST /appointments``, for :func:`app.api.routes.appointment.create_appointment`."""
    await limit_appointment(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_appointment.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_appointment.AppointmentCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_appointment.create_appointment(db, user, body, idempotency))


async def get_appointment(request: Request) -> Response:
    """``GET /appointments/{id}``, for :func:`app.api.routes.appointment.get_appointment`."""
    await limit_appointment(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_appointment.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_appointment.get_appointment(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of invoices.
limit_invoice = rate_limit("invoice")


async def list_invoices(request: Request) -> Response:
    """``GET /invoices``, for :func:`app.api.routes.invoice.list_invoices`."""
    await limit_invoice(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_invoice.RULES["list"], user)
        query = query_model(schemas_invoice.InvoiceQuery, request)
        rows, total = await service_invoice.list_invoices(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_invoice(request: Request) -> Response:
    """``POST /invoices``, for :func:`app.api.routes.invoice.create_invoice`."""
    await limit_invoice(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_invoice.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_invoice.InvoiceCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_invoice.create_invoice(db, user, body, idempotency))


async def get_invoice(request: Request) -> Response:
    """``GET /invoices/{id}``, for :func:`app.api.routes.invoice.get_invoice`."""
    await limit_invoice(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_invoice.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_invoice.get_invoice(db, user, row_id)
    return tagged(row)


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    routes_doctor.list_doctors: list_doctors,
    routes_doctor.create_doctor: create_doctor,
    routes_doctor.get_doctor: get_doctor,
    routes_patient.list_patients: list_patients,
    routes_patient.create_patient: create_patient,
    routes_patient.get_patient: get_patient,
    routes_appointment.list_appointments: list_appointments,
    routes_appointment.create_appointment: create_appointment,
    routes_appointment.get_appointment: get_appointment,
    routes_invoice.list_invoices: list_invoices,
    routes_invoice.create_invoice: create_invoice,
    routes_invoice.get_invoice: get_invoice,
}
