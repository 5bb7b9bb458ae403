"""HTTP endpoints of books."""

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
from app.schemas.book import BookCreate, BookQuery, BookUpdate
from app.services import book as service

router = APIRouter(tags=["books"])


@router.get(
    "/books",
    operation_id="list_books",
    summary="List books",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_books"),
)
async def list_books(
    db: SessionDep, user: OptionalUser, query: Annotated[BookQuery, Query()]
) -> Response:
    rows, total = await service.list_books(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/books",
    status_code=201,
    operation_id="create_book",
    summary="Create a book",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_book"),
    openapi_extra=request_body(BookCreate),
)
async def create_book(
    body: Annotated[BookCreate, Depends(json_body(BookCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_book(db, user, body, idempotency))


@router.get(
    "/books/{id}",
    operation_id="get_book",
    summary="Get a book",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_book"),
)
async def get_book(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_book(db, user, id))


@router.put(
    "/books/{id}",
    operation_id="replace_book",
    summary="Replace a book",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_book"),
    openapi_extra=request_body(BookCreate),
)
async def replace_book(
    id: uuid.UUID,
    body: Annotated[BookCreate, Depends(json_body(BookCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_book(db, user, id, body, if_match))


@router.patch(
    "/books/{id}",
    operation_id="update_book",
    summary="Update some fields of a book",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_book"),
    openapi_extra=request_body(BookUpdate),
)
async def update_book(
    id: uuid.UUID,
    body: Annotated[BookUpdate, Depends(json_body(BookUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_book(db, user, id, body, if_match))


@router.delete(
    "/books/{id}",
    status_code=204,
    operation_id="delete_book",
    summary="Delete a book",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_book"),
)
async def delete_book(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_book(db, user, id, if_match)
    return no_content()
