"""HTTP endpoints of doctors."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from app.api.bodies import json_body
from app.api.deps import (
    OptionalUser,
    SessionDep,
    allowed,
)
from app.api.headers import IdempotencyDep, IfMatch
from app.api.routes.docs import design_responses, request_body
from app.core.responses import created, no_content, page, tagged
from app.schemas.doctor import DoctorCreate, DoctorQuery, DoctorUpdate
from app.services import doctor as service

router = APIRouter(tags=["doctors"])


@router.get(
    "/doctors",
    operation_id="list_doctors",
    summary="List doctors",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_doctors"),
)
async def list_doctors(
    db: SessionDep, user: OptionalUser, query: Annotated[DoctorQuery, Query()]
) -> Response:
    rows, total = await service.list_doctors(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/doctors",
    status_code=201,
    operation_id="create_doctor",
    summary="Create a doctor",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_doctor"),
    openapi_extra=request_body(DoctorCreate),
)
async def create_doctor(
    body: Annotated[DoctorCreate, Depends(json_body(DoctorCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_doctor(db, user, body, idempotency))


@router.get(
    "/doctors/{id}",
    operation_id="get_doctor",
    summary="Get a doctor",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_doctor"),
)
async def get_doctor(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_doctor(db, user, id))


@router.put(
    "/doctors/{id}",
    operation_id="replace_doctor",
    summary="Replace a doctor",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_doctor"),
    openapi_extra=request_body(DoctorCreate),
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
    responses=design_responses("update_doctor"),
    openapi_extra=request_body(DoctorUpdate),
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
    responses=design_responses("delete_doctor"),
)
async def delete_doctor(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_doctor(db, user, id, if_match)
    return no_content()
