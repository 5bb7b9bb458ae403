"""HTTP endpoints of authors."""

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
from app.schemas.author import AuthorCreate, AuthorQuery, AuthorUpdate
from app.services import author as service

router = APIRouter(tags=["authors"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("author")


async def list_authors(request: Request) -> Response:
    """``GET /authors`` (list authors), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as AuthorQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(AuthorQuery, request)
        rows, total = await service.list_authors(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/authors", list_authors, "list_authors")


async def create_author(request: Request) -> Response:
    """``POST /authors`` (create an author), the busiest write, as a plain Starlette endpoint.

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
        body = validated(AuthorCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_author(db, user, body, idempotency))


add_plain_route(router, "/authors", create_author, "create_author", "POST")


async def get_author(request: Request) -> Response:
    """``GET /authors/{id}`` (get an author), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_author(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/authors/{id}", get_author, "get_author")


@router.put(
    "/authors/{id}",
    operation_id="replace_author",
    summary="Replace an author",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_author(
    id: uuid.UUID,
    body: Annotated[AuthorCreate, Depends(json_body(AuthorCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_author(db, user, id, body, if_match))


@router.patch(
    "/authors/{id}",
    operation_id="update_author",
    summary="Update some fields of an author",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_author(
    id: uuid.UUID,
    body: Annotated[AuthorUpdate, Depends(json_body(AuthorUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_author(db, user, id, body, if_match))


@router.delete(
    "/authors/{id}",
    status_code=204,
    operation_id="delete_author",
    summary="Delete an author",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_author(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_author(db, user, id, if_match)
    return no_content()
