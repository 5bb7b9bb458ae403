"""HTTP endpoints of showings."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
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
    get_optional_user,
    path_uuid,
    rate_limit,
)
from app.api.headers import IdempotencyDep, IfMatch, idempotent_request
from app.core.permissions import authorize
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
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("showing")


async def list_showings(request: Request) -> Response:
    """``GET /showings`` (list showings), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as ShowingQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(ShowingQuery, request)
        rows, total = await service.list_showings(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/showings", list_showings, "list_showings")


async def create_showing(request: Request) -> Response:
    """``POST /showings`` (create a showing), the busiest write, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the body read as JSON, the Idempotency-Key header and the body validated.
    Solving the dependencies was a sixth of the request's CPU.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        idempotency = await idempotent_request(request, user, errors)
        body = validated(ShowingCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_showing(db, user, body, idempotency))


add_plain_route(router, "/showings", create_showing, "create_showing", "POST")


async def get_showing(request: Request) -> Response:
    """``GET /showings/{id}`` (get a showing), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_showing(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/showings/{id}", get_showing, "get_showing")


@router.put(
    "/showings/{id}",
    operation_id="replace_showing",
    summary="Replace a showing",
    dependencies=[Depends(allowed(service.RULES["update"]))],
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
