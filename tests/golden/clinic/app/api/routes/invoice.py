"""HTTP endpoints of invoices."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response

from app.api.bodies import json_body, query_model, read_json, validated
from app.api.deps import (
    OptionalUser,
    SessionDep,
    add_plain_route,
    allowed,
    connect,
    get_optional_user,
    path_uuid,
    rate_limit,
)
from app.api.headers import IfMatch, idempotent_request
from app.core.permissions import authorize
from app.core.responses import created, no_content, page, tagged
from app.schemas.invoice import InvoiceCreate, InvoiceQuery, InvoiceUpdate
from app.services import invoice as service

router = APIRouter(tags=["invoices"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("invoice")


async def list_invoices(request: Request) -> Response:
    """``GET /invoices`` (list invoices), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as InvoiceQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(InvoiceQuery, request)
        rows, total = await service.list_invoices(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/invoices", list_invoices, "list_invoices")


async def create_invoice(request: Request) -> Response:
    """``POST /invoices`` (create an invoice), the busiest write, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the body read as JSON, the Idempotency-Key header and the body validated.
    Solving the dependencies was a sixth of the request's CPU.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        idempotency = await idempotent_request(request, user, errors)
        body = validated(InvoiceCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_invoice(db, user, body, idempotency))


add_plain_route(router, "/invoices", create_invoice, "create_invoice", "POST")


async def get_invoice(request: Request) -> Response:
    """``GET /invoices/{id}`` (get an invoice), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_invoice(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/invoices/{id}", get_invoice, "get_invoice")


@router.put(
    "/invoices/{id}",
    operation_id="replace_invoice",
    summary="Replace an invoice",
    dependencies=[Depends(allowed(service.RULES["update"]))],
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
)
async def delete_invoice(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_invoice(db, user, id, if_match)
    return no_content()
