"""HTTP endpoints of tags."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.api.deps import OptionalUser, SessionDep
from app.core.responses import no_content, ok, page
from app.schemas.tag import TagCreate, TagQuery, TagUpdate
from app.services import tag as service

router = APIRouter(tags=["tags"])


@router.get("/tags", operation_id="list_tags", summary="List tags")
async def list_tags(
    db: SessionDep, user: OptionalUser, query: Annotated[TagQuery, Query()]
) -> Response:
    rows, total = await service.list_tags(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post("/tags", status_code=201, operation_id="create_tag", summary="Create a tag")
async def create_tag(body: TagCreate, db: SessionDep, user: OptionalUser) -> Response:
    row = await service.create_tag(db, user, body)
    return ok(row, status_code=201, headers={"Location": f"/api/v1/tags/{row['id']}"})


@router.get("/tags/{id}", operation_id="get_tag", summary="Get a tag")
async def get_tag(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return ok(await service.get_tag(db, user, id))


@router.put("/tags/{id}", operation_id="replace_tag", summary="Replace a tag")
async def replace_tag(
    id: uuid.UUID, body: TagCreate, db: SessionDep, user: OptionalUser
) -> Response:
    return ok(await service.replace_tag(db, user, id, body))


@router.patch("/tags/{id}", operation_id="update_tag", summary="Update some fields of a tag")
async def update_tag(
    id: uuid.UUID, body: TagUpdate, db: SessionDep, user: OptionalUser
) -> Response:
    return ok(await service.update_tag(db, user, id, body))


@router.delete("/tags/{id}", status_code=204, operation_id="delete_tag", summary="Delete a tag")
async def delete_tag(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    await service.delete_tag(db, user, id)
    return no_content()
