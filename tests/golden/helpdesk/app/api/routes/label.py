"""HTTP endpoints of labels."""

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
from app.schemas.label import LabelCreate, LabelQuery, LabelUpdate
from app.services import label as service

router = APIRouter(tags=["labels"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("label")


async def list_labels(request: Request) -> Response:
    """``GET /labels`` (list labels), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as LabelQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(LabelQuery, request)
        rows, total = await service.list_labels(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/labels", list_labels, "list_labels")


async def create_label(request: Request) -> Response:
    """``POST /labels`` (create a label), the busiest write, as a plain Starlette endpoint.

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
        body = validated(LabelCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_label(db, user, body, idempotency))


add_plain_route(router, "/labels", create_label, "create_label", "POST")


async def get_label(request: Request) -> Response:
    """``GET /labels/{id}`` (get a label), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_label(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/labels/{id}", get_label, "get_label")


@router.put(
    "/labels/{id}",
    operation_id="replace_label",
    summary="Replace a label",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_label(
    id: uuid.UUID,
    body: Annotated[LabelCreate, Depends(json_body(LabelCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_label(db, user, id, body, if_match))


@router.patch(
    "/labels/{id}",
    operation_id="update_label",
    summary="Update some fields of a label",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_label(
    id: uuid.UUID,
    body: Annotated[LabelUpdate, Depends(json_body(LabelUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_label(db, user, id, body, if_match))


@router.delete(
    "/labels/{id}",
    status_code=204,
    operation_id="delete_label",
    summary="Delete a label",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_label(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_label(db, user, id, if_match)
    return no_content()
