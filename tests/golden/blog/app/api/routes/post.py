"""HTTP endpoints of posts."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
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
from app.schemas.post import PostCreate, PostQuery, PostUpdate
from app.schemas.tag import TagQuery
from app.services import post as service

router = APIRouter(tags=["posts"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("post")


async def list_posts(request: Request) -> Response:
    """``GET /posts`` (list posts), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as PostQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(PostQuery, request)
        rows, total = await service.list_posts(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/posts", list_posts, "list_posts")


async def create_post(request: Request) -> Response:
    """``POST /posts`` (create a post), the busiest write, as a plain Starlette endpoint.

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
        body = validated(PostCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_post(db, user, body, idempotency))


add_plain_route(router, "/posts", create_post, "create_post", "POST")


async def get_post(request: Request) -> Response:
    """``GET /posts/{id}`` (get a post), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_post(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/posts/{id}", get_post, "get_post")


@router.put(
    "/posts/{id}",
    operation_id="replace_post",
    summary="Replace a post",
    dependencies=[Depends(allowed(service.RULES["update"]))],
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
)
async def remove_post_tag(
    id: uuid.UUID, tag_id: uuid.UUID, db: SessionDep, user: OptionalUser
) -> Response:
    await service.unlink_post_tags(db, user, id, tag_id)
    return no_content()
