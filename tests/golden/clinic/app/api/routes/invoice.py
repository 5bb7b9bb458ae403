"""HTTP endpoints of invoices."""

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
from app.schemas.invoice import InvoiceCreate, InvoiceQuery, InvoiceUpdate
from app.services import invoice as service

router = APIRouter(tags=["invoices"])


@router.get(
    "/invoices",
    operation_id="list_invoices",
    summary="List invoices",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_invoices"),
)
async def list_invoices(
    db: SessionDep, user: OptionalUser, query: Annotated[InvoiceQuery, Query()]
) -> Response:
    rows, total = await service.list_invoices(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/invoices",
    status_code=201,
    operation_id="create_invoice",
    summary="Create an invoice",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_invoice"),
    openapi_extra=request_body(InvoiceCreate),
)
async def create_invoice(
    body: Annotated[InvoiceCreate, Depends(json_body(InvoiceCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_invoice(db, user, body, idempotency))


@router.get(
    "/invoices/{id}",
    operation_id="get_invoice",
    summary="Get an invoice",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_invoice"),
)
async def get_invoice(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_invoice(db, user, id))


@router.put(
    "/invoices/{id}",
    operation_id="replace_invoice",
    summary="Replace an invoice",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_invoice"),
    openapi_extra=request_body(InvoiceCreate),
)
async def replace_invoice(
    id: uuid.UUID,
    body: Annotated[InvoiceCreate, Depends(json_body(InvoiceCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_invoice(db, user, id, body, if_match))


@router.patch(
    "/invoices/{id}",
    operation_id="update_invoice",
    summary="Update some fields of an invoice",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_invoice"),
    openapi_extra=request_body(InvoiceUpdate),
)
async def update_invoice(
    id: uuid.UUID,
    body: Annotated[InvoiceUpdate, Depends(json_body(InvoiceUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_invoice(db, user, id, body, if_match))


@router.delete(
    "/invoices/{id}",
    status_code=204,
    operation_id="delete_invoice",
    summary="Delete an invoice",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_invoice"),
)
async def delete_invoice(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_invoice(db, user, id, if_match)
    return no_content()
