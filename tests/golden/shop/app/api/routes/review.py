"""HTTP endpoints of reviews."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from app.api.bodies import json_body
from app.api.deps import (
    CurrentUser,
    OptionalUser,
    SessionDep,
    allowed,
)
from app.api.headers import IdempotencyDep, IfMatch
from app.api.paging import next_page, position
from app.api.routes.docs import design_responses, request_body
from app.core.responses import created, no_content, tagged
from app.schemas.review import ReviewCreate, ReviewQuery, ReviewUpdate
from app.services import review as service

router = APIRouter(tags=["reviews"])


@router.get(
    "/reviews",
    operation_id="list_reviews",
    summary="List reviews",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_reviews"),
)
async def list_reviews(
    request: Request, db: SessionDep, user: OptionalUser, query: Annotated[ReviewQuery, Query()]
) -> Response:
    rows, after = await service.list_reviews(db, user, query, position(request, query))
    return next_page(request, query, rows, after)


@router.post(
    "/reviews",
    status_code=201,
    operation_id="create_review",
    summary="Create a review",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_review"),
    openapi_extra=request_body(ReviewCreate),
)
async def create_review(
    body: Annotated[ReviewCreate, Depends(json_body(ReviewCreate))],
    db: SessionDep,
    user: CurrentUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_review(db, user, body, idempotency))


@router.get(
    "/reviews/{id}",
    operation_id="get_review",
    summary="Get a review",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_review"),
)
async def get_review(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_review(db, user, id))


@router.put(
    "/reviews/{id}",
    operation_id="replace_review",
    summary="Replace a review",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_review"),
    openapi_extra=request_body(ReviewCreate),
)
async def replace_review(
    id: uuid.UUID,
    body: Annotated[ReviewCreate, Depends(json_body(ReviewCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_review(db, user, id, body, if_match))


@router.patch(
    "/reviews/{id}",
    operation_id="update_review",
    summary="Update some fields of a review",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_review"),
    openapi_extra=request_body(ReviewUpdate),
)
async def update_review(
    id: uuid.UUID,
    body: Annotated[ReviewUpdate, Depends(json_body(ReviewUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_review(db, user, id, body, if_match))


@router.delete(
    "/reviews/{id}",
    status_code=204,
    operation_id="delete_review",
    summary="Delete a review",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_review"),
)
async def delete_review(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_review(db, user, id, if_match)
    return no_content()
