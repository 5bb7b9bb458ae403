"""HTTP endpoints of items."""

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
from app.schemas.item import ItemCreate, ItemQuery, ItemUpdate
from app.services import item as service

router = APIRouter(tags=["items"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("item")


async def list_items(request: Request) -> Response:
    """``GET /items`` (list items), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as ItemQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(ItemQuery, request)
        rows, total = await service.list_items(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/items", list_items, "list_items")


async def create_item(request: Request) -> Response:
    """``POST /items`` (create an item), the busiest write, as a plain Starlette endpoint.

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
        body = validated(ItemCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_item(db, user, body, idempotency))


add_plain_route(router, "/items", create_item, "create_item", "POST")


async def get_item(request: Request) -> Response:
    """``GET /items/{id}`` (get an item), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_item(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/items/{id}", get_item, "get_item")


@router.put(
    "/items/{id}",
    operation_id="replace_item",
    summary="Replace an item",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_item(
    id: uuid.UUID,
    body: Annotated[ItemCreate, Depends(json_body(ItemCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_item(db, user, id, body, if_match))


@router.patch(
    "/items/{id}",
    operation_id="update_item",
    summary="Update some fields of an item",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_item(
    id: uuid.UUID,
    body: Annotated[ItemUpdate, Depends(json_body(ItemUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_item(db, user, id, body, if_match))


@router.delete(
    "/items/{id}",
    status_code=204,
    operation_id="delete_item",
    summary="Delete an item",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_item(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_item(db, user, id, if_match)
    return no_content()
