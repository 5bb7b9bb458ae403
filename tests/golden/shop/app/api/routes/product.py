"""HTTP endpoints of products."""

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
from app.schemas.product import ProductCreate, ProductQuery, ProductUpdate
from app.services import product as service

router = APIRouter(tags=["products"])


@router.get(
    "/products",
    operation_id="list_products",
    summary="List products",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_products"),
)
async def list_products(
    db: SessionDep, user: OptionalUser, query: Annotated[ProductQuery, Query()]
) -> Response:
    rows, total = await service.list_products(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/products",
    status_code=201,
    operation_id="create_product",
    summary="Create a product",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_product"),
    openapi_extra=request_body(ProductCreate),
)
async def create_product(
    body: Annotated[ProductCreate, Depends(json_body(ProductCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_product(db, user, body, idempotency))


@router.get(
    "/products/{id}",
    operation_id="get_product",
    summary="Get a product",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_product"),
)
async def get_product(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_product(db, user, id))


@router.put(
    "/products/{id}",
    operation_id="replace_product",
    summary="Replace a product",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_product"),
    openapi_extra=request_body(ProductCreate),
)
async def replace_product(
    id: uuid.UUID,
    body: Annotated[ProductCreate, Depends(json_body(ProductCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_product(db, user, id, body, if_match))


@router.patch(
    "/products/{id}",
    operation_id="update_product",
    summary="Update some fields of a product",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_product"),
    openapi_extra=request_body(ProductUpdate),
)
async def update_product(
    id: uuid.UUID,
    body: Annotated[ProductUpdate, Depends(json_body(ProductUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_product(db, user, id, body, if_match))


@router.delete(
    "/products/{id}",
    status_code=204,
    operation_id="delete_product",
    summary="Delete a product",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_product"),
)
async def delete_product(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_product(db, user, id, if_match)
    return no_content()


@router.post(
    "/products/{id}/restock",
    operation_id="restock_product",
    summary="Restock a product",
    dependencies=[Depends(allowed(service.RULES["restock"]))],
    responses=design_responses("restock_product"),
)
async def restock_product(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.restock_product(db, user, id))
