"""HTTP endpoints of tickets."""

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
from app.schemas.ticket import (
    TicketCreate,
    TicketNestedCreate,
    TicketNestedQuery,
    TicketQuery,
    TicketUpdate,
)
from app.services import ticket as service

router = APIRouter(tags=["tickets"])


@router.get(
    "/tickets",
    operation_id="list_tickets",
    summary="List tickets",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_tickets"),
)
async def list_tickets(
    db: SessionDep, user: OptionalUser, query: Annotated[TicketQuery, Query()]
) -> Response:
    rows, total = await service.list_tickets(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/tickets",
    status_code=201,
    operation_id="create_ticket",
    summary="Create a ticket",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_ticket"),
    openapi_extra=request_body(TicketCreate),
)
async def create_ticket(
    body: Annotated[TicketCreate, Depends(json_body(TicketCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_ticket(db, user, body, idempotency))


@router.get(
    "/tickets/{id}",
    operation_id="get_ticket",
    summary="Get a ticket",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_ticket"),
)
async def get_ticket(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_ticket(db, user, id))


@router.put(
    "/tickets/{id}",
    operation_id="replace_ticket",
    summary="Replace a ticket",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_ticket"),
    openapi_extra=request_body(TicketCreate),
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
    responses=design_responses("update_ticket"),
    openapi_extra=request_body(TicketUpdate),
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
    responses=design_responses("delete_ticket"),
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
    responses=design_responses("list_showing_tickets"),
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
    responses=design_responses("create_showing_ticket"),
    openapi_extra=request_body(TicketNestedCreate),
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
