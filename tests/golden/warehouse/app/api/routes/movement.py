"""HTTP endpoints of movements."""

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
from app.schemas.movement import MovementCreate, MovementQuery, MovementUpdate
from app.services import movement as service

router = APIRouter(tags=["movements"])


@router.get(
    "/movements",
    operation_id="list_movements",
    summary="List movements",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_movements"),
)
async def list_movements(
    db: SessionDep, user: OptionalUser, query: Annotated[MovementQuery, Query()]
) -> Response:
    rows, total = await service.list_movements(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/movements",
    status_code=201,
    operation_id="create_movement",
    summary="Create a movement",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_movement"),
    openapi_extra=request_body(MovementCreate),
)
async def create_movement(
    body: Annotated[MovementCreate, Depends(json_body(MovementCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_movement(db, user, body, idempotency))


@router.get(
    "/movements/{id}",
    operation_id="get_movement",
    summary="Get a movement",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_movement"),
)
async def get_movement(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_movement(db, user, id))


@router.put(
    "/movements/{id}",
    operation_id="replace_movement",
    summary="Replace a movement",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_movement"),
    openapi_extra=request_body(MovementCreate),
)
async def replace_movement(
    id: uuid.UUID,
    body: Annotated[MovementCreate, Depends(json_body(MovementCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_movement(db, user, id, body, if_match))


@router.patch(
    "/movements/{id}",
    operation_id="update_movement",
    summary="Update some fields of a movement",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_movement"),
    openapi_extra=request_body(MovementUpdate),
)
async def update_movement(
    id: uuid.UUID,
    body: Annotated[MovementUpdate, Depends(json_body(MovementUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_movement(db, user, id, body, if_match))


@router.delete(
    "/movements/{id}",
    status_code=204,
    operation_id="delete_movement",
    summary="Delete a movement",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_movement"),
)
async def delete_movement(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_movement(db, user, id, if_match)
    return no_content()
