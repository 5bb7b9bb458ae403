"""HTTP endpoints of movements."""

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
from app.schemas.movement import MovementCreate, MovementQuery, MovementUpdate
from app.services import movement as service

router = APIRouter(tags=["movements"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("movement")


async def list_movements(request: Request) -> Response:
    """``GET /movements`` (list movements), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as MovementQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(MovementQuery, request)
        rows, total = await service.list_movements(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/movements", list_movements, "list_movements")


async def create_movement(request: Request) -> Response:
    """``POST /movements`` (create a movement), the busiest write, as a plain Starlette endpoint.

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
        body = validated(MovementCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_movement(db, user, body, idempotency))


add_plain_route(router, "/movements", create_movement, "create_movement", "POST")


async def get_movement(request: Request) -> Response:
    """``GET /movements/{id}`` (get a movement), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_movement(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/movements/{id}", get_movement, "get_movement")


@router.put(
    "/movements/{id}",
    operation_id="replace_movement",
    summary="Replace a movement",
    dependencies=[Depends(allowed(service.RULES["update"]))],
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
)
async def delete_movement(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_movement(db, user, id, if_match)
    return no_content()
