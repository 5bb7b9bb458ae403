"""HTTP endpoints of doctors."""

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
    get_optional_user,
    path_uuid,
    rate_limit,
)
from app.api.headers import IfMatch, idempotent_request
from app.core.permissions import authorize
from app.core.responses import created, no_content, page, tagged
from app.schemas.doctor import DoctorCreate, DoctorQuery, DoctorUpdate
from app.services import doctor as service

router = APIRouter(tags=["doctors"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("doctor")


async def list_doctors(request: Request) -> Response:
    """``GET /doctors`` (list doctors), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as DoctorQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(DoctorQuery, request)
        rows, total = await service.list_doctors(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/doctors", list_doctors, "list_doctors")


async def create_doctor(request: Request) -> Response:
    """``POST /doctors`` (create a doctor), the busiest write, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the body read as JSON, the Idempotency-Key header and the body validated.
    Solving the dependencies was a sixth of the request's CPU.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        idempotency = await idempotent_request(request, user, errors)
        body = validated(DoctorCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_doctor(db, user, body, idempotency))


add_plain_route(router, "/doctors", create_doctor, "create_doctor", "POST")


async def get_doctor(request: Request) -> Response:
    """``GET /doctors/{id}`` (get a doctor), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_doctor(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/doctors/{id}", get_doctor, "get_doctor")


@router.put(
    "/doctors/{id}",
    operation_id="replace_doctor",
    summary="Replace a doctor",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_doctor(
    id: uuid.UUID,
    body: Annotated[DoctorCreate, Depends(json_body(DoctorCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_doctor(db, user, id, body, if_match))


@router.patch(
    "/doctors/{id}",
    operation_id="update_doctor",
    summary="Update some fields of a doctor",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_doctor(
    id: uuid.UUID,
    body: Annotated[DoctorUpdate, Depends(json_body(DoctorUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_doctor(db, user, id, body, if_match))


@router.delete(
    "/doctors/{id}",
    status_code=204,
    operation_id="delete_doctor",
    summary="Delete a doctor",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_doctor(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_doctor(db, user, id, if_match)
    return no_content()
