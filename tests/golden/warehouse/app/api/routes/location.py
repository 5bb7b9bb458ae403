"""HTTP endpoints of locations."""

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
from app.schemas.location import LocationCreate, LocationQuery, LocationUpdate
from app.services import location as service

router = APIRouter(tags=["locations"])


@router.get(
    "/locations",
    operation_id="list_locations",
    summary="List locations",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_locations"),
)
async def list_locations(
    db: SessionDep, user: OptionalUser, query: Annotated[LocationQuery, Query()]
) -> Response:
    rows, total = await service.list_locations(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/locations",
    status_code=201,
    operation_id="create_location",
    summary="Create a location",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_location"),
    openapi_extra=request_body(LocationCreate),
)
async def create_location(
    body: Annotated[LocationCreate, Depends(json_body(LocationCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_location(db, user, body, idempotency))


@router.get(
    "/locations/{id}",
    operation_id="get_location",
    summary="Get a location",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_location"),
)
async def get_location(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_location(db, user, id))


@router.put(
    "/locations/{id}",
    operation_id="replace_location",
    summary="Replace a location",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_location"),
    openapi_extra=request_body(LocationCreate),
)
async def replace_location(
    id: uuid.UUID,
    body: Annotated[LocationCreate, Depends(json_body(LocationCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_location(db, user, id, body, if_match))


@router.patch(
    "/locations/{id}",
    operation_id="update_location",
    summary="Update some fields of a location",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_location"),
    openapi_extra=request_body(LocationUpdate),
)
async def update_location(
    id: uuid.UUID,
    body: Annotated[LocationUpdate, Depends(json_body(LocationUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_location(db, user, id, body, if_match))


@router.delete(
    "/locations/{id}",
    status_code=204,
    operation_id="delete_location",
    summary="Delete a location",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_location"),
)
async def delete_location(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_location(db, user, id, if_match)
    return no_content()
