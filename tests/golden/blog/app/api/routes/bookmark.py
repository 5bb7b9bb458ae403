"""HTTP endpoints of bookmarks."""

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
from app.schemas.bookmark import BookmarkCreate, BookmarkQuery, BookmarkUpdate
from app.services import bookmark as service

router = APIRouter(tags=["bookmarks"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("bookmark")


async def list_bookmarks(request: Request) -> Response:
    """``GET /bookmarks`` (list bookmarks), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as BookmarkQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(BookmarkQuery, request)
        rows, total = await service.list_bookmarks(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/bookmarks", list_bookmarks, "list_bookmarks")


async def create_bookmark(request: Request) -> Response:
    """``POST /bookmarks`` (create a bookmark), the busiest write, as a plain Starlette endpoint.

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
        body = validated(BookmarkCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_bookmark(db, user, body, idempotency))


add_plain_route(router, "/bookmarks", create_bookmark, "create_bookmark", "POST")


async def get_bookmark(request: Request) -> Response:
    """``GET /bookmarks/{id}`` (get a bookmark), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_bookmark(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/bookmarks/{id}", get_bookmark, "get_bookmark")


@router.put(
    "/bookmarks/{id}",
    operation_id="replace_bookmark",
    summary="Replace a bookmark",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_bookmark(
    id: uuid.UUID,
    body: Annotated[BookmarkCreate, Depends(json_body(BookmarkCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_bookmark(db, user, id, body, if_match))


@router.patch(
    "/bookmarks/{id}",
    operation_id="update_bookmark",
    summary="Update some fields of a bookmark",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_bookmark(
    id: uuid.UUID,
    body: Annotated[BookmarkUpdate, Depends(json_body(BookmarkUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_bookmark(db, user, id, body, if_match))


@router.delete(
    "/bookmarks/{id}",
    status_code=204,
    operation_id="delete_bookmark",
    summary="Delete a bookmark",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_bookmark(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_bookmark(db, user, id, if_match)
    return no_content()
