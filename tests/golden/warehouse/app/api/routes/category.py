"""HTTP endpoints of categories."""

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
from app.schemas.category import CategoryCreate, CategoryQuery, CategoryUpdate
from app.services import category as service

router = APIRouter(tags=["categories"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("category")


async def list_categories(request: Request) -> Response:
    """``GET /categories`` (list categories), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as CategoryQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(CategoryQuery, request)
        rows, total = await service.list_categories(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/categories", list_categories, "list_categories")


async def create_category(request: Request) -> Response:
    """``POST /categories`` (create a category), the busiest write, as a plain Starlette endpoint.

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
        body = validated(CategoryCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_category(db, user, body, idempotency))


add_plain_route(router, "/categories", create_category, "create_category", "POST")


async def get_category(request: Request) -> Response:
    """``GET /categories/{id}`` (get a category), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_category(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/categories/{id}", get_category, "get_category")


@router.put(
    "/categories/{id}",
    operation_id="replace_category",
    summary="Replace a category",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_category(
    id: uuid.UUID,
    body: Annotated[CategoryCreate, Depends(json_body(CategoryCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_category(db, user, id, body, if_match))


@router.patch(
    "/categories/{id}",
    operation_id="update_category",
    summary="Update some fields of a category",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_category(
    id: uuid.UUID,
    body: Annotated[CategoryUpdate, Depends(json_body(CategoryUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_category(db, user, id, body, if_match))


@router.delete(
    "/categories/{id}",
    status_code=204,
    operation_id="delete_category",
    summary="Delete a category",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_category(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_category(db, user, id, if_match)
    return no_content()
