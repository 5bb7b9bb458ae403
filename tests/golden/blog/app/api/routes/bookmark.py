"""HTTP endpoints of bookmarks."""

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
from app.schemas.bookmark import BookmarkCreate, BookmarkQuery, BookmarkUpdate
from app.services import bookmark as service

router = APIRouter(tags=["bookmarks"])


@router.get(
    "/bookmarks",
    operation_id="list_bookmarks",
    summary="List bookmarks",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_bookmarks"),
)
async def list_bookmarks(
    db: SessionDep, user: OptionalUser, query: Annotated[BookmarkQuery, Query()]
) -> Response:
    rows, total = await service.list_bookmarks(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/bookmarks",
    status_code=201,
    operation_id="create_bookmark",
    summary="Create a bookmark",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_bookmark"),
    openapi_extra=request_body(BookmarkCreate),
)
async def create_bookmark(
    body: Annotated[BookmarkCreate, Depends(json_body(BookmarkCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_bookmark(db, user, body, idempotency))


@router.get(
    "/bookmarks/{id}",
    operation_id="get_bookmark",
    summary="Get a bookmark",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_bookmark"),
)
async def get_bookmark(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_bookmark(db, user, id))


@router.put(
    "/bookmarks/{id}",
    operation_id="replace_bookmark",
    summary="Replace a bookmark",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_bookmark"),
    openapi_extra=request_body(BookmarkCreate),
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
    responses=design_responses("update_bookmark"),
    openapi_extra=request_body(BookmarkUpdate),
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
    responses=design_responses("delete_bookmark"),
)
async def delete_bookmark(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_bookmark(db, user, id, if_match)
    return no_content()
