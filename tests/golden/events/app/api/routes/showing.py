"""HTTP endpoints of showings."""

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
from app.schemas.showing import (
    ShowingCreate,
    ShowingNestedCreate,
    ShowingNestedQuery,
    ShowingQuery,
    ShowingUpdate,
)
from app.services import showing as service

router = APIRouter(tags=["showings"])


@router.get(
    "/showings",
    operation_id="list_showings",
    summary="List showings",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_showings"),
)
async def list_showings(
    db: SessionDep, user: OptionalUser, query: Annotated[ShowingQuery, Query()]
) -> Response:
    rows, total = await service.list_showings(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/showings",
    status_code=201,
    operation_id="create_showing",
    summary="Create a showing",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_showing"),
    openapi_extra=request_body(ShowingCreate),
)
async def create_showing(
    body: Annotated[ShowingCreate, Depends(json_body(ShowingCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_showing(db, user, body, idempotency))


@router.get(
    "/showings/{id}",
    operation_id="get_showing",
    summary="Get a showing",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_showing"),
)
async def get_showing(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_showing(db, user, id))


@router.put(
    "/showings/{id}",
    operation_id="replace_showing",
    summary="Replace a showing",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_showing"),
    openapi_extra=request_body(ShowingCreate),
)
async def replace_showing(
    id: uuid.UUID,
    body: Annotated[ShowingCreate, Depends(json_body(ShowingCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_showing(db, user, id, body, if_match))


@router.patch(
    "/showings/{id}",
    operation_id="update_showing",
    summary="Update some fields of a showing",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_showing"),
    openapi_extra=request_body(ShowingUpdate),
)
async def update_showing(
    id: uuid.UUID,
    body: Annotated[ShowingUpdate, Depends(json_body(ShowingUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_showing(db, user, id, body, if_match))


@router.delete(
    "/showings/{id}",
    status_code=204,
    operation_id="delete_showing",
    summary="Delete a showing",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_showing"),
)
async def delete_showing(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_showing(db, user, id, if_match)
    return no_content()


@router.get(
    "/events/{event_id}/showings",
    operation_id="list_event_showings",
    summary="List the showings of an event",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_event_showings"),
)
async def list_event_showings(
    event_id: uuid.UUID,
    db: SessionDep,
    user: OptionalUser,
    query: Annotated[ShowingNestedQuery, Query()],
) -> Response:
    rows, total = await service.list_event_showings(db, user, event_id, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/events/{event_id}/showings",
    status_code=201,
    operation_id="create_event_showing",
    summary="Create a showing under an event",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_event_showing"),
    openapi_extra=request_body(ShowingNestedCreate),
)
async def create_event_showing(
    event_id: uuid.UUID,
    body: Annotated[ShowingNestedCreate, Depends(json_body(ShowingNestedCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    result = await service.create_event_showing(db, user, event_id, body, idempotency)
    return created(result)
