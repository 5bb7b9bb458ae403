"""HTTP endpoints of appointments."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response

from app.api.bodies import json_body, query_model, read_json, validated
from app.api.deps import (
    OptionalUser,
    SessionDep,
    add_plain_route,
    allowed,
    connect,
    get_current_user,
    get_optional_user,
    path_uuid,
    rate_limit,
)
from app.api.headers import IfMatch, idempotent_request
from app.core.permissions import authorize
from app.core.responses import created, no_content, page, tagged
from app.schemas.appointment import AppointmentCreate, AppointmentQuery, AppointmentUpdate
from app.services import appointment as service

router = APIRouter(tags=["appointments"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("appointment")


async def list_appointments(request: Request) -> Response:
    """``GET /appointments`` (list appointments), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as AppointmentQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(AppointmentQuery, request)
        rows, total = await service.list_appointments(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/appointments", list_appointments, "list_appointments")


async def create_appointment(request: Request) -> Response:
    """``POST /appointments`` (create an appointment), the busiest write, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the body read as JSON, the Idempotency-Key header and the body validated.
    Solving the dependencies was a sixth of the request's CPU.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_current_user(await get_optional_user(request, db))
        authorize(service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        idempotency = await idempotent_request(request, user, errors)
        body = validated(AppointmentCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_appointment(db, user, body, idempotency))


add_plain_route(router, "/appointments", create_appointment, "create_appointment", "POST")


async def get_appointment(request: Request) -> Response:
    """``GET /appointments/{id}`` (get an appointment), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_appointment(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/appointments/{id}", get_appointment, "get_appointment")


@router.put(
    "/appointments/{id}",
    operation_id="replace_appointment",
    summary="Replace an appointment",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_appointment(
    id: uuid.UUID,
    body: Annotated[AppointmentCreate, Depends(json_body(AppointmentCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_appointment(db, user, id, body, if_match))


@router.patch(
    "/appointments/{id}",
    operation_id="update_appointment",
    summary="Update some fields of an appointment",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_appointment(
    id: uuid.UUID,
    body: Annotated[AppointmentUpdate, Depends(json_body(AppointmentUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_appointment(db, user, id, body, if_match))


@router.delete(
    "/appointments/{id}",
    status_code=204,
    operation_id="delete_appointment",
    summary="Delete an appointment",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_appointment(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_appointment(db, user, id, if_match)
    return no_content()
