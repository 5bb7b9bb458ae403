"""HTTP endpoints of loans."""

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
    get_current_user,
    get_optional_user,
    path_uuid,
    rate_limit,
)
from app.api.headers import IfMatch, idempotent_request
from app.core.permissions import authorize
from app.core.responses import created, no_content, page, tagged
from app.schemas.loan import LoanCreate, LoanQuery, LoanUpdate
from app.services import loan as service

router = APIRouter(tags=["loans"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("loan")


async def list_loans(request: Request) -> Response:
    """``GET /loans`` (list loans), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as LoanQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(LoanQuery, request)
        rows, total = await service.list_loans(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/loans", list_loans, "list_loans")


async def create_loan(request: Request) -> Response:
    """``POST /loans`` (create a loan), the busiest write, as a plain Starlette endpoint.

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
        body = validated(LoanCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_loan(db, user, body, idempotency))


add_plain_route(router, "/loans", create_loan, "create_loan", "POST")


async def get_loan(request: Request) -> Response:
    """``GET /loans/{id}`` (get a loan), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_loan(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/loans/{id}", get_loan, "get_loan")


@router.put(
    "/loans/{id}",
    operation_id="replace_loan",
    summary="Replace a loan",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_loan(
    id: uuid.UUID,
    body: Annotated[LoanCreate, Depends(json_body(LoanCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_loan(db, user, id, body, if_match))


@router.patch(
    "/loans/{id}",
    operation_id="update_loan",
    summary="Update some fields of a loan",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_loan(
    id: uuid.UUID,
    body: Annotated[LoanUpdate, Depends(json_body(LoanUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_loan(db, user, id, body, if_match))


@router.delete(
    "/loans/{id}",
    status_code=204,
    operation_id="delete_loan",
    summary="Delete a loan",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_loan(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_loan(db, user, id, if_match)
    return no_content()
