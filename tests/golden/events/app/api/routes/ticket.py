"""HTTP endpoints of tickets."""

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
from app.schemas.ticket import (
    TicketCreate,
    TicketNestedCreate,
    TicketNestedQuery,
    TicketQuery,
    TicketUpdate,
)
from app.services import ticket as service

router = APIRouter(tags=["tickets"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("ticket")


async def list_tickets(request: Request) -> Response:
    """``GET /tickets`` (list tickets), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as TicketQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(TicketQuery, request)
        rows, total = await service.list_tickets(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/tickets", list_tickets, "list_tickets")


async def create_ticket(request: Request) -> Response:
    """``POST /tickets`` (create a ticket), the busiest write, as a plain Starlette endpoint.

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
        body = validated(TicketCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_ticket(db, user, body, idempotency))


add_plain_route(router, "/tickets", create_ticket, "create_ticket", "POST")


async def get_ticket(request: Request) -> Response:
    """``GET /tickets/{id}`` (get a ticket), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_ticket(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/tickets/{id}", get_ticket, "get_ticket")


@router.put(
    "/tickets/{id}",
    operation_id="replace_ticket",
    summary="Replace a ticket",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def replace_ticket(
    id: uuid.UUID,
    body: Annotated[TicketCreate, Depends(json_body(TicketCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_ticket(db, user, id, body, if_match))


@router.patch(
    "/tickets/{id}",
    operation_id="update_ticket",
    summary="Update some fields of a ticket",
    dependencies=[Depends(allowed(service.RULES["update"]))],
)
async def update_ticket(
    id: uuid.UUID,
    body: Annotated[TicketUpdate, Depends(json_body(TicketUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_ticket(db, user, id, body, if_match))


@router.delete(
    "/tickets/{id}",
    status_code=204,
    operation_id="delete_ticket",
    summary="Delete a ticket",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
)
async def delete_ticket(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_ticket(db, user, id, if_match)
    return no_content()


@router.get(
    "/showings/{showing_id}/tickets",
    operation_id="list_showing_tickets",
    summary="List the tickets of a showing",
    dependencies=[Depends(allowed(service.RULES["list"]))],
)
async def list_showing_tickets(
    showing_id: uuid.UUID,
    db: SessionDep,
    user: OptionalUser,
    query: Annotated[TicketNestedQuery, Query()],
) -> Response:
    rows, total = await service.list_showing_tickets(db, user, showing_id, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/showings/{showing_id}/tickets",
    status_code=201,
    operation_id="create_showing_ticket",
    summary="Create a ticket under a showing",
    dependencies=[Depends(allowed(service.RULES["create"]))],
)
async def create_showing_ticket(
    showing_id: uuid.UUID,
    body: Annotated[TicketNestedCreate, Depends(json_body(TicketNestedCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    result = await service.create_showing_ticket(db, user, showing_id, body, idempotency)
    return created(result)
