"""HTTP endpoints of stock levels."""

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
from app.schemas.stock import StockCreate, StockQuery, StockUpdate
from app.services import stock as service

router = APIRouter(tags=["stock_levels"])


@router.get(
    "/stock_levels",
    operation_id="list_stock_levels",
    summary="List stock levels",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_stock_levels"),
)
async def list_stock_levels(
    db: SessionDep, user: OptionalUser, query: Annotated[StockQuery, Query()]
) -> Response:
    rows, total = await service.list_stock_levels(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/stock_levels",
    status_code=201,
    operation_id="create_stock",
    summary="Create a stock",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_stock"),
    openapi_extra=request_body(StockCreate),
)
async def create_stock(
    body: Annotated[StockCreate, Depends(json_body(StockCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_stock(db, user, body, idempotency))


@router.get(
    "/stock_levels/{id}",
    operation_id="get_stock",
    summary="Get a stock",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_stock"),
)
async def get_stock(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_stock(db, user, id))


@router.put(
    "/stock_levels/{id}",
    operation_id="replace_stock",
    summary="Replace a stock",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_stock"),
    openapi_extra=request_body(StockCreate),
)
async def replace_stock(
    id: uuid.UUID,
    body: Annotated[StockCreate, Depends(json_body(StockCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_stock(db, user, id, body, if_match))


@router.patch(
    "/stock_levels/{id}",
    operation_id="update_stock",
    summary="Update some fields of a stock",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_stock"),
    openapi_extra=request_body(StockUpdate),
)
async def update_stock(
    id: uuid.UUID,
    body: Annotated[StockUpdate, Depends(json_body(StockUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_stock(db, user, id, body, if_match))


@router.delete(
    "/stock_levels/{id}",
    status_code=204,
    operation_id="delete_stock",
    summary="Delete a stock",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_stock"),
)
async def delete_stock(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_stock(db, user, id, if_match)
    return no_content()
