"""HTTP endpoints of patients."""

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
from app.schemas.patient import PatientCreate, PatientQuery, PatientUpdate
from app.services import patient as service

router = APIRouter(tags=["patients"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("patient")


async def list_patients(request: Request) -> Response:
    """``GET /patients`` (list patients), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as PatientQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(PatientQuery, request)
        rows, total = await service.list_patients(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/patients", list_patients, "list_patients")


async def create_patient(request: Request) -> Response:
    """``POST /patients`` (create a patient), the busiest write, as a plain Starlette endpoint.

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
        body = validated(PatientCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_patient(db, user, body, idempotency))


add_plain_route(router, "/patients", create_patient, "create_patient", "POST")


async def get_patient(request: Request) -> Response:
    """``GET /patients/{id}`` (get a patient), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_patient(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/patients/{id}", get_patient, "get_patient")


@router.put(
    "/patients/{id}",
    operation_id="replace_patient",
    summary="Replace a patient",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_patient(
    id: uuid.UUID,
    body: Annotated[PatientCreate, Depends(json_body(PatientCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_patient(db, user, id, body, if_match))


@router.patch(
    "/patients/{id}",
    operation_id="update_patient",
    summary="Update some fields of a patient",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_patient(
    id: uuid.UUID,
    body: Annotated[PatientUpdate, Depends(json_body(PatientUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_patient(db, user, id, body, if_match))


@router.delete(
    "/patients/{id}",
    status_code=204,
    operation_id="delete_patient",
    summary="Delete a patient",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_patient(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_patient(db, user, id, if_match)
    return no_content()
