"""HTTP endpoints of accounts."""

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
from app.schemas.account import AccountCreate, AccountQuery, AccountUpdate
from app.services import account as service

router = APIRouter(tags=["accounts"])


@router.get(
    "/accounts",
    operation_id="list_accounts",
    summary="List accounts",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_accounts"),
)
async def list_accounts(
    db: SessionDep, user: OptionalUser, query: Annotated[AccountQuery, Query()]
) -> Response:
    rows, total = await service.list_accounts(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/accounts",
    status_code=201,
    operation_id="create_account",
    summary="Create an account",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_account"),
    openapi_extra=request_body(AccountCreate),
)
async def create_account(
    body: Annotated[AccountCreate, Depends(json_body(AccountCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_account(db, user, body, idempotency))


@router.get(
    "/accounts/{id}",
    operation_id="get_account",
    summary="Get an account",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_account"),
)
async def get_account(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_account(db, user, id))


@router.put(
    "/accounts/{id}",
    operation_id="replace_account",
    summary="Replace an account",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_account"),
    openapi_extra=request_body(AccountCreate),
)
async def replace_account(
    id: uuid.UUID,
    body: Annotated[AccountCreate, Depends(json_body(AccountCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_account(db, user, id, body, if_match))


@router.patch(
    "/accounts/{id}",
    operation_id="update_account",
    summary="Update some fields of an account",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_account"),
    openapi_extra=request_body(AccountUpdate),
)
async def update_account(
    id: uuid.UUID,
    body: Annotated[AccountUpdate, Depends(json_body(AccountUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_account(db, user, id, body, if_match))


@router.delete(
    "/accounts/{id}",
    status_code=204,
    operation_id="delete_account",
    summary="Delete an account",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_account"),
)
async def delete_account(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_account(db, user, id, if_match)
    return no_content()
