"""HTTP endpoints of order items."""

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
from app.core.responses import created, no_content, ok, page, tagged
from app.schemas.order_item import (
    OrderItemCreate,
    OrderItemNestedCreate,
    OrderItemNestedQuery,
    OrderItemQuery,
    OrderItemStatsQuery,
    OrderItemUpdate,
)
from app.services import order_item as service

router = APIRouter(tags=["order_items"])


@router.get(
    "/order_items",
    operation_id="list_order_items",
    summary="List order items",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_order_items"),
)
async def list_order_items(
    db: SessionDep, user: OptionalUser, query: Annotated[OrderItemQuery, Query()]
) -> Response:
    rows, total = await service.list_order_items(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.get(
    "/order_items/stats",
    operation_id="stats_order_items",
    summary="Statistics of order items",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("stats_order_items"),
)
async def stats_order_items(
    db: SessionDep, user: OptionalUser, query: Annotated[OrderItemStatsQuery, Query()]
) -> Response:
    return ok(await service.stats_order_items(db, user, query))


@router.post(
    "/order_items",
    status_code=201,
    operation_id="create_order_item",
    summary="Create an order item",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_order_item"),
    openapi_extra=request_body(OrderItemCreate),
)
async def create_order_item(
    body: Annotated[OrderItemCreate, Depends(json_body(OrderItemCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_order_item(db, user, body, idempotency))


@router.get(
    "/order_items/{id}",
    operation_id="get_order_item",
    summary="Get an order item",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_order_item"),
)
async def get_order_item(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_order_item(db, user, id))


@router.put(
    "/order_items/{id}",
    operation_id="replace_order_item",
    summary="Replace an order item",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_order_item"),
    openapi_extra=request_body(OrderItemCreate),
)
async def replace_order_item(
    id: uuid.UUID,
    body: Annotated[OrderItemCreate, Depends(json_body(OrderItemCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_order_item(db, user, id, body, if_match))


@router.patch(
    "/order_items/{id}",
    operation_id="update_order_item",
    summary="Update some fields of an order item",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_order_item"),
    openapi_extra=request_body(OrderItemUpdate),
)
async def update_order_item(
    id: uuid.UUID,
    body: Annotated[OrderItemUpdate, Depends(json_body(OrderItemUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_order_item(db, user, id, body, if_match))


@router.delete(
    "/order_items/{id}",
    status_code=204,
    operation_id="delete_order_item",
    summary="Delete an order item",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_order_item"),
)
async def delete_order_item(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_order_item(db, user, id, if_match)
    return no_content()


@router.get(
    "/orders/{order_id}/order_items",
    operation_id="list_order_order_items",
    summary="List the order items of an order",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_order_order_items"),
)
async def list_order_order_items(
    order_id: uuid.UUID,
    db: SessionDep,
    user: OptionalUser,
    query: Annotated[OrderItemNestedQuery, Query()],
) -> Response:
    rows, total = await service.list_order_order_items(db, user, order_id, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/orders/{order_id}/order_items",
    status_code=201,
    operation_id="create_order_order_item",
    summary="Create an order item under an order",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_order_order_item"),
    openapi_extra=request_body(OrderItemNestedCreate),
)
async def create_order_order_item(
    order_id: uuid.UUID,
    body: Annotated[OrderItemNestedCreate, Depends(json_body(OrderItemNestedCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    result = await service.create_order_order_item(db, user, order_id, body, idempotency)
    return created(result)
