"""HTTP endpoints of stock levels."""

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
from app.schemas.stock import StockCreate, StockQuery, StockUpdate
from app.services import stock as service

router = APIRouter(tags=["stock_levels"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("stock")


async def list_stock_levels(request: Request) -> Response:
    """``GET /stock_levels`` (list stock levels), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as StockQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(StockQuery, request)
        rows, total = await service.list_stock_levels(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/stock_levels", list_stock_levels, "list_stock_levels")


async def create_stock(request: Request) -> Response:
    """``POST /stock_levels`` (create a stock), the busiest write, as a plain Starlette endpoint.

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
        body = validated(StockCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_stock(db, user, body, idempotency))


add_plain_route(router, "/stock_levels", create_stock, "create_stock", "POST")


async def get_stock(request: Request) -> Response:
    """``GET /stock_levels/{id}`` (get a stock), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_stock(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/stock_levels/{id}", get_stock, "get_stock")


@router.put(
    "/stock_levels/{id}",
    operation_id="replace_stock",
    summary="Replace a stock",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_stock(
    id: uuid.UUID,
    body: Annotated[StockCreate, Depends(json_body(StockCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_stock(db, user, id, body, if_match))


@router.patch(
    "/stock_levels/{id}",
    operation_id="update_stock",
    summary="Update some fields of a stock",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_stock(
    id: uuid.UUID,
    body: Annotated[StockUpdate, Depends(json_body(StockUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_stock(db, user, id, body, if_match))


@router.delete(
    "/stock_levels/{id}",
    status_code=204,
    operation_id="delete_stock",
    summary="Delete a stock",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_stock(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_stock(db, user, id, if_match)
    return no_content()
