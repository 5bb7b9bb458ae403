"""HTTP endpoints of locations."""

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
from app.schemas.location import LocationCreate, LocationQuery, LocationUpdate
from app.services import location as service

router = APIRouter(tags=["locations"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("location")


async def list_locations(request: Request) -> Response:
    """``GET /locations`` (list locations), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as LocationQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(LocationQuery, request)
        rows, total = await service.list_locations(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/locations", list_locations, "list_locations")


async def create_location(request: Request) -> Response:
    """``POST /locations`` (create a location), the busiest write, as a plain Starlette endpoint.

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
        body = validated(LocationCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_location(db, user, body, idempotency))


add_plain_route(router, "/locations", create_location, "create_location", "POST")


async def get_location(request: Request) -> Response:
    """``GET /locations/{id}`` (get a location), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_location(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/locations/{id}", get_location, "get_location")


@router.put(
    "/locations/{id}",
    operation_id="replace_location",
    summary="Replace a location",
    dependencies=[Depends(allowed(service.RULES["update"]))],
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
)
async def delete_location(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_location(db, user, id, if_match)
    return no_content()
