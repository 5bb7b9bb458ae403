"""HTTP endpoints of replies."""

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
from app.schemas.reply import (
    ReplyCreate,
    ReplyNestedCreate,
    ReplyNestedQuery,
    ReplyQuery,
    ReplyUpdate,
)
from app.services import reply as service

router = APIRouter(tags=["replies"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("reply")


async def list_replies(request: Request) -> Response:
    """``GET /replies`` (list replies), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as ReplyQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(ReplyQuery, request)
        rows, total = await service.list_replies(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/replies", list_replies, "list_replies")


async def create_reply(request: Request) -> Response:
    """``POST /replies`` (create a reply), the busiest write, as a plain Starlette endpoint.

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
        body = validated(ReplyCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_reply(db, user, body, idempotency))


add_plain_route(router, "/replies", create_reply, "create_reply", "POST")


async def get_reply(request: Request) -> Response:
    """``GET /replies/{id}`` (get a reply), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_reply(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/replies/{id}", get_reply, "get_reply")


@router.put(
    "/replies/{id}",
    operation_id="replace_reply",
    summary="Replace a reply",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_reply(
    id: uuid.UUID,
    body: Annotated[ReplyCreate, Depends(json_body(ReplyCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_reply(db, user, id, body, if_match))


@router.patch(
    "/replies/{id}",
    operation_id="update_reply",
    summary="Update some fields of a reply",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_reply(
    id: uuid.UUID,
    body: Annotated[ReplyUpdate, Depends(json_body(ReplyUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_reply(db, user, id, body, if_match))


@router.delete(
    "/replies/{id}",
    status_code=204,
    operation_id="delete_reply",
    summary="Delete a reply",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_reply(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_reply(db, user, id, if_match)
    return no_content()


@router.get(
    "/tickets/{ticket_id}/replies",
    operation_id="list_ticket_replies",
    summary="List the replies of a ticket",
    dependencies=[Depends(allowed(service.RULES["list"]))],
)
async def list_ticket_replies(
    ticket_id: uuid.UUID,
    db: SessionDep,
    user: OptionalUser,
    query: Annotated[ReplyNestedQuery, Query()],
) -> Response:
    rows, total = await service.list_ticket_replies(db, user, ticket_id, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/tickets/{ticket_id}/replies",
    status_code=201,
    operation_id="create_ticket_reply",
    summary="Create a reply under a ticket",
    dependencies=[Depends(allowed(service.RULES["create"]))],
)
async def create_ticket_reply(
    ticket_id: uuid.UUID,
    body: Annotated[ReplyNestedCreate, Depends(json_body(ReplyNestedCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    result = await service.create_ticket_reply(db, user, ticket_id, body, idempotency)
    return created(result)
