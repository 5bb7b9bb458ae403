"""HTTP endpoints of events."""

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
from app.schemas.event import EventCreate, EventQuery, EventUpdate
from app.services import event as service

router = APIRouter(tags=["events"])


@router.get(
    "/events",
    operation_id="list_events",
    summary="List events",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_events"),
)
async def list_events(
    db: SessionDep, user: OptionalUser, query: Annotated[EventQuery, Query()]
) -> Response:
    rows, total = await service.list_events(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/events",
    status_code=201,
    operation_id="create_event",
    summary="Create an event",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_event"),
    openapi_extra=request_body(EventCreate),
)
async def create_event(
    body: Annotated[EventCreate, Depends(json_body(EventCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_event(db, user, body, idempotency))


@router.get(
    "/events/{id}",
    operation_id="get_event",
    summary="Get an event",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_event"),
)
async def get_event(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_event(db, user, id))


@router.put(
    "/events/{id}",
    operation_id="replace_event",
    summary="Replace an event",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_event"),
    openapi_extra=request_body(EventCreate),
)
async def replace_event(
    id: uuid.UUID,
    body: Annotated[EventCreate, Depends(json_body(EventCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_event(db, user, id, body, if_match))


@router.patch(
    "/events/{id}",
    operation_id="update_event",
    summary="Update some fields of an event",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_event"),
    openapi_extra=request_body(EventUpdate),
)
async def update_event(
    id: uuid.UUID,
    body: Annotated[EventUpdate, Depends(json_body(EventUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_event(db, user, id, body, if_match))


@router.delete(
    "/events/{id}",
    status_code=204,
    operation_id="delete_event",
    summary="Delete an event",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_event"),
)
async def delete_event(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_event(db, user, id, if_match)
    return no_content()
