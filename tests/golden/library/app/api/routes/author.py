"""HTTP endpoints of authors."""

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
from app.schemas.author import AuthorCreate, AuthorQuery, AuthorUpdate
from app.services import author as service

router = APIRouter(tags=["authors"])


@router.get(
    "/authors",
    operation_id="list_authors",
    summary="List authors",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_authors"),
)
async def list_authors(
    db: SessionDep, user: OptionalUser, query: Annotated[AuthorQuery, Query()]
) -> Response:
    rows, total = await service.list_authors(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/authors",
    status_code=201,
    operation_id="create_author",
    summary="Create an author",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_author"),
    openapi_extra=request_body(AuthorCreate),
)
async def create_author(
    body: Annotated[AuthorCreate, Depends(json_body(AuthorCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_author(db, user, body, idempotency))


@router.get(
    "/authors/{id}",
    operation_id="get_author",
    summary="Get an author",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_author"),
)
async def get_author(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_author(db, user, id))


@router.put(
    "/authors/{id}",
    operation_id="replace_author",
    summary="Replace an author",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_author"),
    openapi_extra=request_body(AuthorCreate),
)
async def replace_author(
    id: uuid.UUID,
    body: Annotated[AuthorCreate, Depends(json_body(AuthorCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_author(db, user, id, body, if_match))


@router.patch(
    "/authors/{id}",
    operation_id="update_author",
    summary="Update some fields of an author",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_author"),
    openapi_extra=request_body(AuthorUpdate),
)
async def update_author(
    id: uuid.UUID,
    body: Annotated[AuthorUpdate, Depends(json_body(AuthorUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_author(db, user, id, body, if_match))


@router.delete(
    "/authors/{id}",
    status_code=204,
    operation_id="delete_author",
    summary="Delete an author",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_author"),
)
async def delete_author(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_author(db, user, id, if_match)
    return no_content()
