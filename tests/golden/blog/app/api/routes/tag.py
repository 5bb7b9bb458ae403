"""HTTP endpoints of tags."""

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
from app.schemas.tag import TagCreate, TagQuery, TagUpdate
from app.services import tag as service

router = APIRouter(tags=["tags"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("tag")


async def list_tags(request: Request) -> Response:
    """``GET /tags`` (list tags), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as TagQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(TagQuery, request)
        rows, total = await service.list_tags(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/tags", list_tags, "list_tags")


async def create_tag(request: Request) -> Response:
    """``POST /tags`` (create a tag), the busiest write, as a plain Starlette endpoint.

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
        body = validated(TagCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_tag(db, user, body, idempotency))


add_plain_route(router, "/tags", create_tag, "create_tag", "POST")


async def get_tag(request: Request) -> Response:
    """``GET /tags/{id}`` (get a tag), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_tag(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/tags/{id}", get_tag, "get_tag")


@router.put(
    "/tags/{id}",
    operation_id="replace_tag",
    summary="Replace a tag",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_tag(
    id: uuid.UUID,
    body: Annotated[TagCreate, Depends(json_body(TagCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_tag(db, user, id, body, if_match))


@router.patch(
    "/tags/{id}",
    operation_id="update_tag",
    summary="Update some fields of a tag",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_tag(
    id: uuid.UUID,
    body: Annotated[TagUpdate, Depends(json_body(TagUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_tag(db, user, id, body, if_match))


@router.delete(
    "/tags/{id}",
    status_code=204,
    operation_id="delete_tag",
    summary="Delete a tag",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_tag(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_tag(db, user, id, if_match)
    return no_content()
