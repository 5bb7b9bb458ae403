"""HTTP endpoints of categories."""

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
from app.schemas.category import CategoryCreate, CategoryQuery, CategoryUpdate
from app.services import category as service

router = APIRouter(tags=["categories"])


@router.get(
    "/categories",
    operation_id="list_categories",
    summary="List categories",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_categories"),
)
async def list_categories(
    db: SessionDep, user: OptionalUser, query: Annotated[CategoryQuery, Query()]
) -> Response:
    rows, total = await service.list_categories(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/categories",
    status_code=201,
    operation_id="create_category",
    summary="Create a category",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_category"),
    openapi_extra=request_body(CategoryCreate),
)
async def create_category(
    body: Annotated[CategoryCreate, Depends(json_body(CategoryCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_category(db, user, body, idempotency))


@router.get(
    "/categories/{id}",
    operation_id="get_category",
    summary="Get a category",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_category"),
)
async def get_category(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_category(db, user, id))


@router.put(
    "/categories/{id}",
    operation_id="replace_category",
    summary="Replace a category",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_category"),
    openapi_extra=request_body(CategoryCreate),
)
async def replace_category(
    id: uuid.UUID,
    body: Annotated[CategoryCreate, Depends(json_body(CategoryCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_category(db, user, id, body, if_match))


@router.patch(
    "/categories/{id}",
    operation_id="update_category",
    summary="Update some fields of a category",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_category"),
    openapi_extra=request_body(CategoryUpdate),
)
async def update_category(
    id: uuid.UUID,
    body: Annotated[CategoryUpdate, Depends(json_body(CategoryUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_category(db, user, id, body, if_match))


@router.delete(
    "/categories/{id}",
    status_code=204,
    operation_id="delete_category",
    summary="Delete a category",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_category"),
)
async def delete_category(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_category(db, user, id, if_match)
    return no_content()
