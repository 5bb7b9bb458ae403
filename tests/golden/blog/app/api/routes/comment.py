"""HTTP endpoints of comments."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from app.api.deps import (
    CurrentUser,
    OptionalUser,
    SessionDep,
    add_plain_route,
    connect,
    get_optional_user,
    path_uuid,
    rate_limit,
)
from app.api.headers import IdempotencyDep, IfMatch
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


@router.get("/comments", operation_id="list_comments", summary="List comments")
async def list_comments(
    db: SessionDep, user: OptionalUser, query: Annotated[CommentQuery, Query()]
) -> Response:
    rows, total = await service.list_comments(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/comments", status_code=201, operation_id="create_comment", summary="Create a comment"
)
async def create_comment(
    body: CommentCreate, db: SessionDep, user: CurrentUser, idempotency: IdempotencyDep
) -> Response:
    return created(await service.create_comment(db, user, body, idempotency))


async def get_comment(request: Request) -> Response:
    """``GET /comments/{id}`` (get a comment), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller, the path parameter), in the same order and with the same
    errors: solving them was a third of the request's CPU. The OpenAPI document is the
    designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        row = await service.get_comment(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/comments/{id}", get_comment, "get_comment")


@router.put("/comments/{id}", operation_id="replace_comment", summary="Replace a comment")
async def replace_comment(
    id: uuid.UUID, body: CommentCreate, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    return tagged(await service.replace_comment(db, user, id, body, if_match))


@router.patch(
    "/comments/{id}", operation_id="update_comment", summary="Update some fields of a comment"
)
async def update_comment(
    id: uuid.UUID, body: CommentUpdate, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    return tagged(await service.update_comment(db, user, id, body, if_match))


@router.delete(
    "/comments/{id}", status_code=204, operation_id="delete_comment", summary="Delete a comment"
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
)
async def create_post_comment(
    post_id: uuid.UUID,
    body: CommentNestedCreate,
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    result = await service.create_post_comment(db, user, post_id, body, idempotency)
    return created(result)
