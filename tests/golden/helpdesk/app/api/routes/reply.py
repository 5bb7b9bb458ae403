"""HTTP endpoints of replies."""

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
from app.schemas.reply import (
    ReplyCreate,
    ReplyNestedCreate,
    ReplyNestedQuery,
    ReplyQuery,
    ReplyUpdate,
)
from app.services import reply as service

router = APIRouter(tags=["replies"])


@router.get(
    "/replies",
    operation_id="list_replies",
    summary="List replies",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_replies"),
)
async def list_replies(
    db: SessionDep, user: OptionalUser, query: Annotated[ReplyQuery, Query()]
) -> Response:
    rows, total = await service.list_replies(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/replies",
    status_code=201,
    operation_id="create_reply",
    summary="Create a reply",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_reply"),
    openapi_extra=request_body(ReplyCreate),
)
async def create_reply(
    body: Annotated[ReplyCreate, Depends(json_body(ReplyCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_reply(db, user, body, idempotency))


@router.get(
    "/replies/{id}",
    operation_id="get_reply",
    summary="Get a reply",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_reply"),
)
async def get_reply(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_reply(db, user, id))


@router.put(
    "/replies/{id}",
    operation_id="replace_reply",
    summary="Replace a reply",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_reply"),
    openapi_extra=request_body(ReplyCreate),
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
    responses=design_responses("update_reply"),
    openapi_extra=request_body(ReplyUpdate),
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
    responses=design_responses("delete_reply"),
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
    responses=design_responses("list_ticket_replies"),
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
    responses=design_responses("create_ticket_reply"),
    openapi_extra=request_body(ReplyNestedCreate),
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
