"""HTTP endpoints of books."""

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
from app.schemas.book import BookCreate, BookQuery, BookUpdate
from app.services import book as service

router = APIRouter(tags=["books"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("book")


async def list_books(request: Request) -> Response:
    """``GET /books`` (list books), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as BookQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(BookQuery, request)
        rows, total = await service.list_books(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/books", list_books, "list_books")


async def create_book(request: Request) -> Response:
    """``POST /books`` (create a book), the busiest write, as a plain Starlette endpoint.

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
        body = validated(BookCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_book(db, user, body, idempotency))


add_plain_route(router, "/books", create_book, "create_book", "POST")


async def get_book(request: Request) -> Response:
    """``GET /books/{id}`` (get a book), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_book(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/books/{id}", get_book, "get_book")


@router.put(
    "/books/{id}",
    operation_id="replace_book",
    summary="Replace a book",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_book(
    id: uuid.UUID,
    body: Annotated[BookCreate, Depends(json_body(BookCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_book(db, user, id, body, if_match))


@router.patch(
    "/books/{id}",
    operation_id="update_book",
    summary="Update some fields of a book",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_book(
    id: uuid.UUID,
    body: Annotated[BookUpdate, Depends(json_body(BookUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_book(db, user, id, body, if_match))


@router.delete(
    "/books/{id}",
    status_code=204,
    operation_id="delete_book",
    summary="Delete a book",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_book(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_book(db, user, id, if_match)
    return no_content()
