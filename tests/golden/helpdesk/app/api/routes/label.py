"""HTTP endpoints of labels."""

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
from app.schemas.label import LabelCreate, LabelQuery, LabelUpdate
from app.services import label as service

router = APIRouter(tags=["labels"])


@router.get(
    "/labels",
    operation_id="list_labels",
    summary="List labels",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_labels"),
)
async def list_labels(
    db: SessionDep, user: OptionalUser, query: Annotated[LabelQuery, Query()]
) -> Response:
    rows, total = await service.list_labels(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/labels",
    status_code=201,
    operation_id="create_label",
    summary="Create a label",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_label"),
    openapi_extra=request_body(LabelCreate),
)
async def create_label(
    body: Annotated[LabelCreate, Depends(json_body(LabelCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_label(db, user, body, idempotency))


@router.get(
    "/labels/{id}",
    operation_id="get_label",
    summary="Get a label",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_label"),
)
async def get_label(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_label(db, user, id))


@router.put(
    "/labels/{id}",
    operation_id="replace_label",
    summary="Replace a label",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_label"),
    openapi_extra=request_body(LabelCreate),
)
async def replace_label(
    id: uuid.UUID,
    body: Annotated[LabelCreate, Depends(json_body(LabelCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_label(db, user, id, body, if_match))


@router.patch(
    "/labels/{id}",
    operation_id="update_label",
    summary="Update some fields of a label",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_label"),
    openapi_extra=request_body(LabelUpdate),
)
async def update_label(
    id: uuid.UUID,
    body: Annotated[LabelUpdate, Depends(json_body(LabelUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_label(db, user, id, body, if_match))


@router.delete(
    "/labels/{id}",
    status_code=204,
    operation_id="delete_label",
    summary="Delete a label",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_label"),
)
async def delete_label(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_label(db, user, id, if_match)
    return no_content()
