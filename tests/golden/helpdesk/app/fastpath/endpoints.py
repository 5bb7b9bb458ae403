"""The fast path's endpoints (app.fastpath): GET by id, the list and POST create of
each entity, as plain Starlette endpoints standing in for their FastAPI routes.

Each does by hand what FastAPI does for its route in app/api/routes/, in the same order
and with the same answers: the rate limit of its router (app.api.router), the
connection, the caller and its rule, then the path parameter, the query string or the
body and the Idempotency-Key header (app.api.bodies reads and validates them as FastAPI
does). tests/test_fast_path.py compares them request for request with FastAPI's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response

from app.api.bodies import query_model, read_json, validated
from app.api.deps import connect, get_current_user, get_optional_user, rate_limit
from app.api.headers import idempotent_request
from app.api.routes import account as account_routes
from app.api.routes import agent as agent_routes
from app.api.routes import label as label_routes
from app.api.routes import reply as reply_routes
from app.api.routes import ticket as ticket_routes
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import account as account_schemas
from app.schemas import agent as agent_schemas
from app.schemas import label as label_schemas
from app.schemas import reply as reply_schemas
from app.schemas import ticket as ticket_schemas
from app.services import account as account_service
from app.services import agent as agent_service
from app.services import label as label_service
from app.services import reply as reply_service
from app.services import ticket as ticket_service

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of accounts.
account_limit = rate_limit("account")


async def list_accounts(request: Request) -> Response:
    """``GET /accounts``, for :func:`app.api.routes.account.list_accounts`."""
    await account_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(account_service.RULES["list"], user)
        query = query_model(account_schemas.AccountQuery, request)
        rows, total = await account_service.list_accounts(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_account(request: Request) -> Response:
    """``POST /accounts``, for :func:`app.api.routes.account.create_account`."""
    await account_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(account_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(account_schemas.AccountCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await account_service.create_account(db, user, body, idempotency))


async def get_account(request: Request) -> Response:
    """``GET /accounts/{id}``, for :func:`app.api.routes.account.get_account`."""
    await account_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(account_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await account_service.get_account(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of agents.
agent_limit = rate_limit("agent")


async def list_agents(request: Request) -> Response:
    """``GET /agents``, for :func:`app.api.routes.agent.list_agents`."""
    await agent_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(agent_service.RULES["list"], user)
        query = query_model(agent_schemas.AgentQuery, request)
        rows, total = await agent_service.list_agents(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_agent(request: Request) -> Response:
    """``POST /agents``, for :func:`app.api.routes.agent.create_agent`."""
    await agent_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(agent_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(agent_schemas.AgentCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await agent_service.create_agent(db, user, body, idempotency))


async def get_agent(request: Request) -> Response:
    """``GET /agents/{id}``, for :func:`app.api.routes.agent.get_agent`."""
    await agent_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(agent_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await agent_service.get_agent(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of labels.
label_limit = rate_limit("label")


async def list_labels(request: Request) -> Response:
    """``GET /labels``, for :func:`app.api.routes.label.list_labels`."""
    await label_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(label_service.RULES["list"], user)
        query = query_model(label_schemas.LabelQuery, request)
        rows, total = await label_service.list_labels(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_label(request: Request) -> Response:
    """``POST /labels``, for :func:`app.api.routes.label.create_label`."""
    await label_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(label_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(label_schemas.LabelCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await label_service.create_label(db, user, body, idempotency))


async def get_label(request: Request) -> Response:
    """``GET /labels/{id}``, for :func:`app.api.routes.label.get_label`."""
    await label_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(label_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await label_service.get_label(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of tickets.
ticket_limit = rate_limit("ticket")


async def list_tickets(request: Request) -> Response:
    """``GET /tickets``, for :func:`app.api.routes.ticket.list_tickets`."""
    await ticket_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(ticket_service.RULES["list"], user)
        query = query_model(ticket_schemas.TicketQuery, request)
        rows, total = await ticket_service.list_tickets(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_ticket(request: Request) -> Response:
    """``POST /tickets``, for :func:`app.api.routes.ticket.create_ticket`."""
    await ticket_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(ticket_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(ticket_schemas.TicketCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await ticket_service.create_ticket(db, user, body, idempotency))


async def get_ticket(request: Request) -> Response:
    """``GET /tickets/{id}``, for :func:`app.api.routes.ticket.get_ticket`."""
    await ticket_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(ticket_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await ticket_service.get_ticket(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of replies.
reply_limit = rate_limit("reply")


async def list_replies(request: Request) -> Response:
    """``GET /replies``, for :func:`app.api.routes.reply.list_replies`."""
    await reply_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(reply_service.RULES["list"], user)
        query = query_model(reply_schemas.ReplyQuery, request)
        rows, total = await reply_service.list_replies(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_reply(request: Request) -> Response:
    """``POST /replies``, for :func:`app.api.routes.reply.create_reply`."""
    await reply_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(reply_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(reply_schemas.ReplyCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await reply_service.create_reply(db, user, body, idempotency))


async def get_reply(request: Request) -> Response:
    """``GET /replies/{id}``, for :func:`app.api.routes.reply.get_reply`."""
    await reply_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(reply_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await reply_service.get_reply(db, user, row_id)
    return tagged(row)


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    account_routes.list_accounts: list_accounts,
    account_routes.create_account: create_account,
    account_routes.get_account: get_account,
    agent_routes.list_agents: list_agents,
    agent_routes.create_agent: create_agent,
    agent_routes.get_agent: get_agent,
    label_routes.list_labels: list_labels,
    label_routes.create_label: create_label,
    label_routes.get_label: get_label,
    ticket_routes.list_tickets: list_tickets,
    ticket_routes.create_ticket: create_ticket,
    ticket_routes.get_ticket: get_ticket,
    reply_routes.list_replies: list_replies,
    reply_routes.create_reply: create_reply,
    reply_routes.get_reply: get_reply,
}
