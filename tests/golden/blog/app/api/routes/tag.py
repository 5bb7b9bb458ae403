"""HTTP endpoints of tags."""

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
from app.schemas.tag import TagCreate, TagQuery, TagUpdate
from app.services import tag as service

router = APIRouter(tags=["tags"])


@router.get(
    "/tags",
    operation_id="list_tags",
    summary="List tags",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_tags"),
)
async def list_tags(
    db: SessionDep, user: OptionalUser, query: Annotated[TagQuery, Query()]
) -> Response:
    rows, total = await service.list_tags(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/tags",
    status_code=201,
    operation_id="create_tag",
    summary="Create a tag",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_tag"),
    openapi_extra=request_body(TagCreate),
)
async def create_tag(
    body: Annotated[TagCreate, Depends(json_body(TagCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_tag(db, user, body, idempotency))


@router.get(
    "/tags/{id}",
    operation_id="get_tag",
    summary="Get a tag",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_tag"),
)
async def get_tag(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_tag(db, user, id))


@router.put(
    "/tags/{id}",
    operation_id="replace_tag",
    summary="Replace a tag",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_tag"),
    openapi_extra=request_body(TagCreate),
)
async def replace_tag(
    id: uuid.UUID,
    body: Annotated[TagCreate, Depends(json_body(TagCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_tag(db, user, id, body, if_match))


@router.patch(
    "/tags/{id}",
    operation_id="update_tag",
    summary="Update some fields of a tag",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_tag"),
    openapi_extra=request_body(TagUpdate),
)
async def update_tag(
    id: uuid.UUID,
    body: Annotated[TagUpdate, Depends(json_body(TagUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_tag(db, user, id, body, if_match))


@router.delete(
    "/tags/{id}",
    status_code=204,
    operation_id="delete_tag",
    summary="Delete a tag",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_tag"),
)
async def delete_tag(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_tag(db, user, id, if_match)
    return no_content()
