"""HTTP endpoints of posts."""

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
from app.schemas.post import PostCreate, PostQuery, PostUpdate
from app.schemas.tag import TagQuery
from app.services import post as service

router = APIRouter(tags=["posts"])


@router.get(
    "/posts",
    operation_id="list_posts",
    summary="List posts",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_posts"),
)
async def list_posts(
    db: SessionDep, user: OptionalUser, query: Annotated[PostQuery, Query()]
) -> Response:
    rows, total = await service.list_posts(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/posts",
    status_code=201,
    operation_id="create_post",
    summary="Create a post",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_post"),
    openapi_extra=request_body(PostCreate),
)
async def create_post(
    body: Annotated[PostCreate, Depends(json_body(PostCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_post(db, user, body, idempotency))


@router.get(
    "/posts/{id}",
    operation_id="get_post",
    summary="Get a post",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_post"),
)
async def get_post(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_post(db, user, id))


@router.put(
    "/posts/{id}",
    operation_id="replace_post",
    summary="Replace a post",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_post"),
    openapi_extra=request_body(PostCreate),
)
async def replace_post(
    id: uuid.UUID,
    body: Annotated[PostCreate, Depends(json_body(PostCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_post(db, user, id, body, if_match))


@router.patch(
    "/posts/{id}",
    operation_id="update_post",
    summary="Update some fields of a post",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_post"),
    openapi_extra=request_body(PostUpdate),
)
async def update_post(
    id: uuid.UUID,
    body: Annotated[PostUpdate, Depends(json_body(PostUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_post(db, user, id, body, if_match))


@router.delete(
    "/posts/{id}",
    status_code=204,
    operation_id="delete_post",
    summary="Delete a post",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_post"),
)
async def delete_post(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_post(db, user, id, if_match)
    return no_content()


@router.get(
    "/posts/{id}/tags",
    operation_id="list_post_tags",
    summary="List the tags of a post",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("list_post_tags"),
)
async def list_post_tags(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, query: Annotated[TagQuery, Query()]
) -> Response:
    rows, total = await service.list_post_tags(db, user, id, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.put(
    "/posts/{id}/tags/{tag_id}",
    status_code=204,
    operation_id="add_post_tag",
    summary="Attach a tag to a post",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("add_post_tag"),
)
async def add_post_tag(
    id: uuid.UUID, tag_id: uuid.UUID, db: SessionDep, user: OptionalUser
) -> Response:
    await service.link_post_tags(db, user, id, tag_id)
    return no_content()


@router.delete(
    "/posts/{id}/tags/{tag_id}",
    status_code=204,
    operation_id="remove_post_tag",
    summary="Detach a tag from a post",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("remove_post_tag"),
)
async def remove_post_tag(
    id: uuid.UUID, tag_id: uuid.UUID, db: SessionDep, user: OptionalUser
) -> Response:
    await service.unlink_post_tags(db, user, id, tag_id)
    return no_content()
