"""HTTP endpoints of orders."""

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
from app.core.responses import created, no_content, ok, page, tagged
from app.schemas.order import OrderCreate, OrderQuery, OrderStatsQuery, OrderUpdate
from app.services import order as service

router = APIRouter(tags=["orders"])


@router.get(
    "/orders",
    operation_id="list_orders",
    summary="List orders",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_orders"),
)
async def list_orders(
    db: SessionDep, user: OptionalUser, query: Annotated[OrderQuery, Query()]
) -> Response:
    rows, total = await service.list_orders(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.get(
    "/orders/stats",
    operation_id="stats_orders",
    summary="Statistics of orders",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("stats_orders"),
)
async def stats_orders(
    db: SessionDep, user: OptionalUser, query: Annotated[OrderStatsQuery, Query()]
) -> Response:
    return ok(await service.stats_orders(db, user, query))


@router.post(
    "/orders",
    status_code=201,
    operation_id="create_order",
    summary="Create an order",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_order"),
    openapi_extra=request_body(OrderCreate),
)
async def create_order(
    body: Annotated[OrderCreate, Depends(json_body(OrderCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_order(db, user, body, idempotency))


@router.get(
    "/orders/{id}",
    operation_id="get_order",
    summary="Get an order",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_order"),
)
async def get_order(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_order(db, user, id))


@router.put(
    "/orders/{id}",
    operation_id="replace_order",
    summary="Replace an order",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_order"),
    openapi_extra=request_body(OrderCreate),
)
async def replace_order(
    id: uuid.UUID,
    body: Annotated[OrderCreate, Depends(json_body(OrderCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_order(db, user, id, body, if_match))


@router.patch(
    "/orders/{id}",
    operation_id="update_order",
    summary="Update some fields of an order",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_order"),
    openapi_extra=request_body(OrderUpdate),
)
async def update_order(
    id: uuid.UUID,
    body: Annotated[OrderUpdate, Depends(json_body(OrderUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_order(db, user, id, body, if_match))


@router.delete(
    "/orders/{id}",
    status_code=204,
    operation_id="delete_order",
    summary="Delete an order",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_order"),
)
async def delete_order(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_order(db, user, id, if_match)
    return no_content()


@router.post(
    "/orders/{id}/place",
    operation_id="place_order",
    summary="Place an order",
    dependencies=[Depends(allowed(service.RULES["place"]))],
    responses=design_responses("place_order"),
    openapi_extra={"x-transition": {"field": "status", "from": ["draft"], "to": "placed"}},
)
async def place_order(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    return tagged(await service.place_order(db, user, id, if_match))


@router.post(
    "/orders/{id}/pay",
    operation_id="pay_order",
    summary="Pay an order",
    dependencies=[Depends(allowed(service.RULES["pay"]))],
    responses=design_responses("pay_order"),
    openapi_extra={"x-transition": {"field": "status", "from": ["placed"], "to": "paid"}},
)
async def pay_order(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    return tagged(await service.pay_order(db, user, id, if_match))


@router.post(
    "/orders/{id}/ship",
    operation_id="ship_order",
    summary="Ship an order",
    dependencies=[Depends(allowed(service.RULES["ship"]))],
    responses=design_responses("ship_order"),
    openapi_extra={"x-transition": {"field": "status", "from": ["paid"], "to": "shipped"}},
)
async def ship_order(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    return tagged(await service.ship_order(db, user, id, if_match))


@router.post(
    "/orders/{id}/cancel",
    operation_id="cancel_order",
    summary="Cancel an order",
    dependencies=[Depends(allowed(service.RULES["cancel"]))],
    responses=design_responses("cancel_order"),
    openapi_extra={
        "x-transition": {"field": "status", "from": ["draft", "placed"], "to": "cancelled"}
    },
)
async def cancel_order(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    return tagged(await service.cancel_order(db, user, id, if_match))
