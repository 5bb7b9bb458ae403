"""HTTP endpoints of items."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from app.api.bodies import json_body
from app.api.deps import (
    OptionalUser,
    SessionDep,
    allowed,
)
from app.api.headers import IdempotencyDep, IfMatch
from app.api.routes.docs import design_responses, request_body
from app.core.responses import created, no_content, page, tagged
from app.schemas.item import ItemCreate, ItemQuery, ItemUpdate
from app.services import item as service

router = APIRouter(tags=["items"])


@router.get(
    "/items",
    operation_id="list_items",
    summary="List items",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_items"),
)
async def list_items(
    db: SessionDep, user: OptionalUser, query: Annotated[ItemQuery, Query()]
) -> Response:
    rows, total = await service.list_items(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/items",
    status_code=201,
    operation_id="create_item",
    summary="Create an item",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_item"),
    openapi_extra=request_body(ItemCreate),
)
async def create_item(
    body: Annotated[ItemCreate, Depends(json_body(ItemCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_item(db, user, body, idempotency))


@router.get(
    "/items/{id}",
    operation_id="get_item",
    summary="Get an item",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_item"),
)
async def get_item(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_item(db, user, id))


@router.put(
    "/items/{id}",
    operation_id="replace_item",
    summary="Replace an item",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_item"),
    openapi_extra=request_body(ItemCreate),
)
async def replace_item(
    id: uuid.UUID,
    body: Annotated[ItemCreate, Depends(json_body(ItemCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_item(db, user, id, body, if_match))


@router.patch(
    "/items/{id}",
    operation_id="update_item",
    summary="Update some fields of an item",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_item"),
    openapi_extra=request_body(ItemUpdate),
)
async def update_item(
    id: uuid.UUID,
    body: Annotated[ItemUpdate, Depends(json_body(ItemUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_item(db, user, id, body, if_match))


@router.delete(
    "/items/{id}",
    status_code=204,
    operation_id="delete_item",
    summary="Delete an item",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_item"),
)
async def delete_item(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_item(db, user, id, if_match)
    return no_content()
