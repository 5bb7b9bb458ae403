"""HTTP endpoints of accounts."""

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
from app.schemas.account import AccountCreate, AccountQuery, AccountUpdate
from app.services import account as service

router = APIRouter(tags=["accounts"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("account")


async def list_accounts(request: Request) -> Response:
    """``GET /accounts`` (list accounts), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as AccountQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(AccountQuery, request)
        rows, total = await service.list_accounts(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/accounts", list_accounts, "list_accounts")


async def create_account(request: Request) -> Response:
    """``POST /accounts`` (create an account), the busiest write, as a plain Starlette endpoint.

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
        body = validated(AccountCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_account(db, user, body, idempotency))


add_plain_route(router, "/accounts", create_account, "create_account", "POST")


async def get_account(request: Request) -> Response:
    """``GET /accounts/{id}`` (get an account), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_account(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/accounts/{id}", get_account, "get_account")


@router.put(
    "/accounts/{id}",
    operation_id="replace_account",
    summary="Replace an account",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_account(
    id: uuid.UUID,
    body: Annotated[AccountCreate, Depends(json_body(AccountCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_account(db, user, id, body, if_match))


@router.patch(
    "/accounts/{id}",
    operation_id="update_account",
    summary="Update some fields of an account",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_account(
    id: uuid.UUID,
    body: Annotated[AccountUpdate, Depends(json_body(AccountUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_account(db, user, id, body, if_match))


@router.delete(
    "/accounts/{id}",
    status_code=204,
    operation_id="delete_account",
    summary="Delete an account",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_account(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_account(db, user, id, if_match)
    return no_content()
