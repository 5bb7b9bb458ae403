"""HTTP endpoints of customers."""

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
from app.schemas.customer import CustomerCreate, CustomerQuery, CustomerUpdate
from app.services import customer as service

router = APIRouter(tags=["customers"])


@router.get(
    "/customers",
    operation_id="list_customers",
    summary="List customers",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_customers"),
)
async def list_customers(
    db: SessionDep, user: OptionalUser, query: Annotated[CustomerQuery, Query()]
) -> Response:
    rows, total = await service.list_customers(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/customers",
    status_code=201,
    operation_id="create_customer",
    summary="Create a customer",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_customer"),
    openapi_extra=request_body(CustomerCreate),
)
async def create_customer(
    body: Annotated[CustomerCreate, Depends(json_body(CustomerCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_customer(db, user, body, idempotency))


@router.get(
    "/customers/{id}",
    operation_id="get_customer",
    summary="Get a customer",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_customer"),
)
async def get_customer(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_customer(db, user, id))


@router.put(
    "/customers/{id}",
    operation_id="replace_customer",
    summary="Replace a customer",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_customer"),
    openapi_extra=request_body(CustomerCreate),
)
async def replace_customer(
    id: uuid.UUID,
    body: Annotated[CustomerCreate, Depends(json_body(CustomerCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_customer(db, user, id, body, if_match))


@router.patch(
    "/customers/{id}",
    operation_id="update_customer",
    summary="Update some fields of a customer",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_customer"),
    openapi_extra=request_body(CustomerUpdate),
)
async def update_customer(
    id: uuid.UUID,
    body: Annotated[CustomerUpdate, Depends(json_body(CustomerUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_customer(db, user, id, body, if_match))


@router.delete(
    "/customers/{id}",
    status_code=204,
    operation_id="delete_customer",
    summary="Delete a customer",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_customer"),
)
async def delete_customer(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_customer(db, user, id, if_match)
    return no_content()
