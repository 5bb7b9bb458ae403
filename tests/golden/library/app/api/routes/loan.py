"""HTTP endpoints of loans."""

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
from app.schemas.loan import LoanCreate, LoanQuery, LoanUpdate
from app.services import loan as service

router = APIRouter(tags=["loans"])


@router.get(
    "/loans",
    operation_id="list_loans",
    summary="List loans",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_loans"),
)
async def list_loans(
    db: SessionDep, user: OptionalUser, query: Annotated[LoanQuery, Query()]
) -> Response:
    rows, total = await service.list_loans(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/loans",
    status_code=201,
    operation_id="create_loan",
    summary="Create a loan",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_loan"),
    openapi_extra=request_body(LoanCreate),
)
async def create_loan(
    body: Annotated[LoanCreate, Depends(json_body(LoanCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_loan(db, user, body, idempotency))


@router.get(
    "/loans/{id}",
    operation_id="get_loan",
    summary="Get a loan",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_loan"),
)
async def get_loan(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_loan(db, user, id))


@router.put(
    "/loans/{id}",
    operation_id="replace_loan",
    summary="Replace a loan",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_loan"),
    openapi_extra=request_body(LoanCreate),
)
async def replace_loan(
    id: uuid.UUID,
    body: Annotated[LoanCreate, Depends(json_body(LoanCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_loan(db, user, id, body, if_match))


@router.patch(
    "/loans/{id}",
    operation_id="update_loan",
    summary="Update some fields of a loan",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_loan"),
    openapi_extra=request_body(LoanUpdate),
)
async def update_loan(
    id: uuid.UUID,
    body: Annotated[LoanUpdate, Depends(json_body(LoanUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_loan(db, user, id, body, if_match))


@router.delete(
    "/loans/{id}",
    status_code=204,
    operation_id="delete_loan",
    summary="Delete a loan",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_loan"),
)
async def delete_loan(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_loan(db, user, id, if_match)
    return no_content()
