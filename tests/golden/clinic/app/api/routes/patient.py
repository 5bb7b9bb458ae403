"""HTTP endpoints of patients."""

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
from app.schemas.patient import PatientCreate, PatientQuery, PatientUpdate
from app.services import patient as service

router = APIRouter(tags=["patients"])


@router.get(
    "/patients",
    operation_id="list_patients",
    summary="List patients",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_patients"),
)
async def list_patients(
    db: SessionDep, user: OptionalUser, query: Annotated[PatientQuery, Query()]
) -> Response:
    rows, total = await service.list_patients(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/patients",
    status_code=201,
    operation_id="create_patient",
    summary="Create a patient",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_patient"),
    openapi_extra=request_body(PatientCreate),
)
async def create_patient(
    body: Annotated[PatientCreate, Depends(json_body(PatientCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_patient(db, user, body, idempotency))


@router.get(
    "/patients/{id}",
    operation_id="get_patient",
    summary="Get a patient",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_patient"),
)
async def get_patient(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_patient(db, user, id))


@router.put(
    "/patients/{id}",
    operation_id="replace_patient",
    summary="Replace a patient",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_patient"),
    openapi_extra=request_body(PatientCreate),
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
    responses=design_responses("update_patient"),
    openapi_extra=request_body(PatientUpdate),
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
    responses=design_responses("delete_patient"),
)
async def delete_patient(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_patient(db, user, id, if_match)
    return no_content()
