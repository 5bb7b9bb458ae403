"""HTTP endpoints of agents."""

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
from app.schemas.agent import AgentCreate, AgentQuery, AgentUpdate
from app.services import agent as service

router = APIRouter(tags=["agents"])


@router.get(
    "/agents",
    operation_id="list_agents",
    summary="List agents",
    dependencies=[Depends(allowed(service.RULES["list"]))],
    responses=design_responses("list_agents"),
)
async def list_agents(
    db: SessionDep, user: OptionalUser, query: Annotated[AgentQuery, Query()]
) -> Response:
    rows, total = await service.list_agents(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


@router.post(
    "/agents",
    status_code=201,
    operation_id="create_agent",
    summary="Create an agent",
    dependencies=[Depends(allowed(service.RULES["create"]))],
    responses=design_responses("create_agent"),
    openapi_extra=request_body(AgentCreate),
)
async def create_agent(
    body: Annotated[AgentCreate, Depends(json_body(AgentCreate))],
    db: SessionDep,
    user: OptionalUser,
    idempotency: IdempotencyDep,
) -> Response:
    return created(await service.create_agent(db, user, body, idempotency))


@router.get(
    "/agents/{id}",
    operation_id="get_agent",
    summary="Get an agent",
    dependencies=[Depends(allowed(service.RULES["read"]))],
    responses=design_responses("get_agent"),
)
async def get_agent(id: uuid.UUID, db: SessionDep, user: OptionalUser) -> Response:
    return tagged(await service.get_agent(db, user, id))


@router.put(
    "/agents/{id}",
    operation_id="replace_agent",
    summary="Replace an agent",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("replace_agent"),
    openapi_extra=request_body(AgentCreate),
)
async def replace_agent(
    id: uuid.UUID,
    body: Annotated[AgentCreate, Depends(json_body(AgentCreate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.replace_agent(db, user, id, body, if_match))


@router.patch(
    "/agents/{id}",
    operation_id="update_agent",
    summary="Update some fields of an agent",
    dependencies=[Depends(allowed(service.RULES["update"]))],
    responses=design_responses("update_agent"),
    openapi_extra=request_body(AgentUpdate),
)
async def update_agent(
    id: uuid.UUID,
    body: Annotated[AgentUpdate, Depends(json_body(AgentUpdate))],
    db: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> Response:
    return tagged(await service.update_agent(db, user, id, body, if_match))


@router.delete(
    "/agents/{id}",
    status_code=204,
    operation_id="delete_agent",
    summary="Delete an agent",
    dependencies=[Depends(allowed(service.RULES["delete"]))],
    responses=design_responses("delete_agent"),
)
async def delete_agent(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_agent(db, user, id, if_match)
    return no_content()
