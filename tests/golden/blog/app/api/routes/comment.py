"""HTTP endpoints of comments."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from app.api.bodies import json_body
from app.api.deps import (
    CurrentUser,
    OptionalUser,
    SessionDep,
    allowed,
)
from app.api.headers import IdempotencyDep, IfMatch
from app.api.routes.docs import design_responses, request_body
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


@router.get(
    "/comments",
    operation_id="list_comments",
    summary="List comments",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_comments"),
)
async def list_comments(
    db: SessionDep, user: OptionalUser, query: Annotated[CommentQuery, Query()]
) -> Response:
    rows, total = await service.list_comments(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/comments",
    status_code=201,
    operation_id="create_comment",
    summary="Create a comment",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_comment"),
    openapi_extra=request_body(CommentCreate),
)
async def create_comment(
    body: Annotated[CommentCreate, Depends(json_body(CommentCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_comment(db, user, body, idempotency))


@router.get(
    "/comments/{id}",
    operation_id="get_comment",
    summary="Get a comment",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_comment"),
)
async def get_comment(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_comment(db, user, id))


@router.put(
    "/comments/{id}",
    operation_id="replace_comment",
    summary="Replace a comment",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_comment"),
    openapi_extra=request_body(CommentCreate),
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
    responses=design_responses("update_comment"),
    openapi_extra=request_body(CommentUpdate),
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
    responses=design_responses("delete_comment"),
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
    responses=design_responses("list_post_comments"),
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
    responses=design_responses("create_post_comment"),
    openapi_extra=request_body(CommentNestedCreate),
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
