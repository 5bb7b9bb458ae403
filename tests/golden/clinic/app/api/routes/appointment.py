"""HTTP endpoints of appointments."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from app.api.bodies import json_body
from app.api.deps import (
    CurrentUser,
    OptionalUser,
    SessionDep,
    allowed,
)
from app.api.headers import IdempotencyDep, IfMatch
from app.api.routes.docs import design_responses, request_body
from app.core.responses import created, no_content, page, tagged
from app.schemas.appointment import AppointmentCreate, AppointmentQuery, AppointmentUpdate
from app.services import appointment as service

router = APIRouter(tags=["appointments"])


@router.get(
    "/appointments",
    operation_id="list_appointments",
    summary="List appointments",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_appointments"),
)
async def list_appointments(
    db: SessionDep, user: OptionalUser, query: Annotated[AppointmentQuery, Query()]
) -> Response:
    rows, total = await service.list_appointments(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/appointments",
    status_code=201,
    operation_id="create_appointment",
    summary="Create an appointment",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_appointment"),
    openapi_extra=request_body(AppointmentCreate),
)
async def create_appointment(
    body: Annotated[AppointmentCreate, Depends(json_body(AppointmentCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_appointment(db, user, body, idempotency))


@router.get(
    "/appointments/{id}",
    operation_id="get_appointment",
    summary="Get an appointment",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_appointment"),
)
async def get_appointment(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_appointment(db, user, id))


@router.put(
    "/appointments/{id}",
    operation_id="replace_appointment",
    summary="Replace an appointment",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_appointment"),
    openapi_extra=request_body(AppointmentCreate),
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
    responses=design_responses("update_appointment"),
    openapi_extra=request_body(AppointmentUpdate),
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
    responses=design_responses("delete_appointment"),
)
async def delete_appointment(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_appointment(db, user, id, if_match)
    return no_content()
