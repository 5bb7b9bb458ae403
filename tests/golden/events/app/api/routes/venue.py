"""HTTP endpoints of venues."""

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
    get_optional_user,
    path_uuid,
    rate_limit,
)
from app.api.headers import IfMatch, idempotent_request
from app.core.permissions import authorize
from app.core.responses import created, no_content, page, tagged
from app.schemas.venue import VenueCreate, VenueQuery, VenueUpdate
from app.services import venue as service

router = APIRouter(tags=["venues"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("venue")


async def list_venues(request: Request) -> Response:
    """``GET /venues`` (list venues), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as VenueQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(VenueQuery, request)
        rows, total = await service.list_venues(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/venues", list_venues, "list_venues")


async def create_venue(request: Request) -> Response:
    """``POST /venues`` (create a venue), the busiest write, as a plain Starlette endpoint.

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
        body = validated(VenueCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_venue(db, user, body, idempotency))


add_plain_route(router, "/venues", create_venue, "create_venue", "POST")


async def get_venue(request: Request) -> Response:
    """``GET /venues/{id}`` (get a venue), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_venue(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/venues/{id}", get_venue, "get_venue")


@router.put(
    "/venues/{id}",
    operation_id="replace_venue",
    summary="Replace a venue",
    dependencies=[Depends(allowed(service.RULES["update"]))],
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
)
async def delete_venue(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_venue(db, user, id, if_match)
    return no_content()
