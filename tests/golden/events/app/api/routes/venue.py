"""HTTP endpoints of venues."""

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
from app.schemas.venue import VenueCreate, VenueQuery, VenueUpdate
from app.services import venue as service

router = APIRouter(tags=["venues"])


@router.get(
    "/venues",
    operation_id="list_venues",
    summary="List venues",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_venues"),
)
async def list_venues(
    db: SessionDep, user: OptionalUser, query: Annotated[VenueQuery, Query()]
) -> Response:
    rows, total = await service.list_venues(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/venues",
    status_code=201,
    operation_id="create_venue",
    summary="Create a venue",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_venue"),
    openapi_extra=request_body(VenueCreate),
)
async def create_venue(
    body: Annotated[VenueCreate, Depends(json_body(VenueCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_venue(db, user, body, idempotency))


@router.get(
    "/venues/{id}",
    operation_id="get_venue",
    summary="Get a venue",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_venue"),
)
async def get_venue(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_venue(db, user, id))


@router.put(
    "/venues/{id}",
    operation_id="replace_venue",
    summary="Replace a venue",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_venue"),
    openapi_extra=request_body(VenueCreate),
)
async def replace_venue(
    id: uuid.UUID,
    body: Annotated[VenueCreate, Depends(json_body(VenueCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_venue(db, user, id, body, if_match))


@router.patch(
    "/venues/{id}",
    operation_id="update_venue",
    summary="Update some fields of a venue",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_venue"),
    openapi_extra=request_body(VenueUpdate),
)
async def update_venue(
    id: uuid.UUID,
    body: Annotated[VenueUpdate, Depends(json_body(VenueUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_venue(db, user, id, body, if_match))


@router.delete(
    "/venues/{id}",
    status_code=204,
    operation_id="delete_venue",
    summary="Delete a venue",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_venue"),
)
async def delete_venue(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_venue(db, user, id, if_match)
    return no_content()
