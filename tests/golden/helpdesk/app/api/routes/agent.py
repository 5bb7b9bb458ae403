"""HTTP endpoints of agents."""

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
from app.schemas.agent import AgentCreate, AgentQuery, AgentUpdate
from app.services import agent as service

router = APIRouter(tags=["agents"])
# The limit app.api.router puts on every route of this router; plain endpoints call it.
limit = rate_limit("agent")


async def list_agents(request: Request) -> Response:
    """``GET /agents`` (list agents), the busiest list, as a plain Starlette endpoint.

    It does by hand what FastAPI does for the other routes, in the same order and with
    the same errors (app.api.bodies): the rate limit, the connection, the caller and its
    rule, then the query string validated as AgentQuery.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["list"], user)
        query = query_model(AgentQuery, request)
        rows, total = await service.list_agents(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


add_plain_route(router, "/agents", list_agents, "list_agents")


async def create_agent(request: Request) -> Response:
    """``POST /agents`` (create an agent), the busiest write, as a plain Starlette endpoint.

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
        body = validated(AgentCreate, value, errors)
        if body is None or errors:
            raise RequestValidationError(errors, body=value)
        return created(await service.create_agent(db, user, body, idempotency))


add_plain_route(router, "/agents", create_agent, "create_agent", "POST")


async def get_agent(request: Request) -> Response:
    """``GET /agents/{id}`` (get an agent), the busiest read, as a plain Starlette endpoint.

    It does by hand what FastAPI's dependencies do for the other routes (the rate limit,
    the connection, the caller and its rule, the path parameter), in the same order and
    with the same errors: solving them was a third of the request's CPU. The OpenAPI
    document is the designed one, so nothing is lost from it.
    """
    await limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service.RULES["read"], user)
        row = await service.get_agent(db, user, path_uuid(request, "id"))
    return tagged(row)


add_plain_route(router, "/agents/{id}", get_agent, "get_agent")


@router.put(
    "/agents/{id}",
    operation_id="replace_agent",
    summary="Replace an agent",
    dependencies=[Depends(allowed(service.RULES["update"]))],
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
)
async def delete_agent(
    id: uuid.UUID, db: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> Response:
    await service.delete_agent(db, user, id, if_match)
    return no_content()
