"""HTTP endpoints of events."""

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
from app.schemas.event import EventCreate, EventQuery, EventUpdate
from app.services import event as service

router = APIRouter(tags=["events"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("event")


async def list_events(request: Request) -> Response:
    """``GET /events`` (list events), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as EventQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(EventQuery, request)
        rows, total = await service.list_events(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/events", list_events, "list_events")


async def create_event(request: Request) -> Response:
    """``POST /events`` (create an event), the busiest write, as a plain Starlette endpoint.

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
        body = validated(EventCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_event(db, user, body, idempotency))


add_plain_route(router, "/events", create_event, "create_event", "POST")


async def get_event(request: Request) -> Response:
    """``GET /events/{id}`` (get an event), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_event(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/events/{id}", get_event, "get_event")


@router.put(
    "/events/{id}",
    operation_id="replace_event",
    summary="Replace an event",
    dependencies=[Depends(allowed(service.RULES["update"]))],
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
)
async def delete_event(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_event(db, user, id, if_match)
    return no_content()
