"""HTTP endpoints of comments."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response

from app.api.bodies import json_body, query_model, read_json, validated
from app.api.deps import (
    CurrentUser,
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
from app.api.headers import IdempotencyDep, IfMatch, idempotent_request
from app.core.permissions import authorize
from app.core.responses import created, no_content, page, tagged
from app.schemas.comment import (
    CommentCreate,
    CommentNestedCreate,
    CommentNestedQuery,
    CommentQuery,
    CommentUpdate,
)
from app.services import comment as service

router = APIRouter(tags=["comments"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("comment")


async def list_comments(request: Request) -> Response:
    """``GET /comments`` (list comments), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as CommentQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(CommentQuery, request)
        rows, total = await service.list_comments(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/comments", list_comments, "list_comments")


async def create_comment(request: Request) -> Response:
    """``POST /comments`` (create a comment), the busiest write, as a plain Starlette endpoint.

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
        body = validated(CommentCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_comment(db, user, body, idempotency))


add_plain_route(router, "/comments", create_comment, "create_comment", "POST")


async def get_comment(request: Request) -> Response:
    """``GET /comments/{id}`` (get a comment), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_comment(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/comments/{id}", get_comment, "get_comment")


@router.put(
    "/comments/{id}",
    operation_id="replace_comment",
    summary="Replace a comment",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_comment(
    id: uuid.UUID,
    body: Annotated[CommentCreate, Depends(json_body(CommentCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_comment(db, user, id, body, if_match))


@router.patch(
    "/comments/{id}",
    operation_id="update_comment",
    summary="Update some fields of a comment",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_comment(
    id: uuid.UUID,
    body: Annotated[CommentUpdate, Depends(json_body(CommentUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_comment(db, user, id, body, if_match))


@router.delete(
    "/comments/{id}",
    status_code=204,
    operation_id="delete_comment",
    summary="Delete a comment",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_comment(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_comment(db, user, id, if_match)
    return no_content()


@router.get(
    "/posts/{post_id}/comments",
    operation_id="list_post_comments",
    summary="List the comments of a post",
    dependencies=[Depends(allowed(service.RULES["list"]))],
)
async def list_post_comments(
    post_id: uuid.UUID,
    db: SessionDep,
    user: OptionalUser,
    query: Annotated[CommentNestedQuery, Query()],
) -> Response:
    rows, total = await service.list_post_comments(db, user, post_id, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/posts/{post_id}/comments",
    status_code=201,
    operation_id="create_post_comment",
    summary="Create a comment under a post",
    dependencies=[Depends(allowed(service.RULES["create"]))],
)
async def create_post_comment(
    post_id: uuid.UUID,
    body: Annotated[CommentNestedCreate, Depends(json_body(CommentNestedCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    result = await service.create_post_comment(db, user, post_id, body, idempotency)
    return created(result)
