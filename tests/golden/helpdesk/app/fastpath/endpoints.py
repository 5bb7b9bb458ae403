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
from app.api.routes import account as routes_account
from app.api.routes import agent as routes_agent
from app.api.routes import label as routes_label
from app.api.routes import reply as routes_reply
from app.api.routes import ticket as routes_ticket
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import account as schemas_account
from app.schemas import agent as schemas_agent
from app.schemas import label as schemas_label
from app.schemas import reply as schemas_reply
from app.schemas import ticket as schemas_ticket
from app.services import account as service_account
from app.services import agent as service_agent
from app.services import label as service_label
from app.services import reply as service_reply
from app.services import ticket as service_ticket

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of accounts.
limit_account = rate_limit("account")


async def list_accounts(request: Request) -> Response:
    """``GET /accounts``, for :func:`app.api.routes.account.list_accounts`."""
    await limit_account(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_account.RULES["list"], user)
        query = query_model(schemas_account.AccountQuery, request)
        rows, total = await service_account.list_accounts(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_account(request: Request) -> Response:
    """``POST /accounts``, for :func:`app.api.routes.account.create_account`."""
    await limit_account(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_account.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_account.AccountCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_account.create_account(db, user, body, idempotency))


async def get_account(request: Request) -> Response:
    """``GET /accounts/{id}``, for :func:`app.api.routes.account.get_account`."""
    await limit_account(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_account.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_account.get_account(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of agents.
limit_agent = rate_limit("agent")


async def list_agents(request: Request) -> Response:
    """``GET /agents``, for :func:`app.api.routes.agent.list_agents`."""
    await limit_agent(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_agent.RULES["list"], user)
        query = query_model(schemas_agent.AgentQuery, request)
        rows, total = await service_agent.list_agents(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_agent(request: Request) -> Response:
    """``POST /agents``, for :func:`app.api.routes.agent.create_agent`."""
    await limit_agent(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_agent.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_agent.AgentCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_agent.create_agent(db, user, body, idempotency))


async def get_agent(request: Request) -> Response:
    """``GET /agents/{id}``, for :func:`app.api.routes.agent.get_agent`."""
    await limit_agent(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_agent.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_agent.get_agent(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of labels.
limit_label = rate_limit("label")


async def list_labels(request: Request) -> Response:
    """``GET /labels``, for :func:`app.api.routes.label.list_labels`."""
    await limit_label(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_label.RULES["list"], user)
        query = query_model(schemas_label.LabelQuery, request)
        rows, total = await service_label.list_labels(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_label(request: Request) -> Response:
    """``POST /labels``, for :func:`app.api.routes.label.create_label`."""
    await limit_label(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_label.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_label.LabelCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_label.create_label(db, user, body, idempotency))


async def get_label(request: Request) -> Response:
    """``GET /labels/{id}``, for :func:`app.api.routes.label.get_label`."""
    await limit_label(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_label.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_label.get_label(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of tickets.
limit_ticket = rate_limit("ticket")


async def list_tickets(request: Request) -> Response:
    """``GET /tickets``, for :func:`app.api.routes.ticket.list_tickets`."""
    await limit_ticket(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_ticket.RULES["list"], user)
        query = query_model(schemas_ticket.TicketQuery, request)
        rows, total = await service_ticket.list_tickets(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_ticket(request: Request) -> Response:
    """``POST /tickets``, for :func:`app.api.routes.ticket.create_ticket`."""
    await limit_ticket(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_ticket.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_ticket.TicketCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_ticket.create_ticket(db, user, body, idempotency))


async def get_ticket(request: Request) -> Response:
    """``GET /tickets/{id}``, for :func:`app.api.routes.ticket.get_ticket`."""
    await limit_ticket(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_ticket.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_ticket.get_ticket(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of replies.
limit_reply = rate_limit("reply")


async def list_replies(request: Request) -> Response:
    """``GET /replies``, for :func:`app.api.routes.reply.list_replies`."""
    await limit_reply(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_reply.RULES["list"], user)
        query = query_model(schemas_reply.ReplyQuery, request)
        rows, total = await service_reply.list_replies(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_reply(request: Request) -> Response:
    """``POST /replies``, for :func:`app.api.routes.reply.create_reply`."""
    await limit_reply(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_reply.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_reply.ReplyCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_reply.create_reply(db, user, body, idempotency))


async def get_reply(request: Request) -> Response:
    """``GET /replies/{id}``, for :func:`app.api.routes.reply.get_reply`."""
    await limit_reply(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_reply.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_reply.get_reply(db, user, row_id)
    return tagged(row)


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    routes_account.list_accounts: list_accounts,
    routes_account.create_account: create_account,
    routes_account.get_account: get_account,
    routes_agent.list_agents: list_agents,
    routes_agent.create_agent: create_agent,
    routes_agent.get_agent: get_agent,
    routes_label.list_labels: list_labels,
    routes_label.create_label: create_label,
    routes_label.get_label: get_label,
    routes_ticket.list_tickets: list_tickets,
    routes_ticket.create_ticket: create_ticket,
    routes_ticket.get_ticket: get_ticket,
    routes_reply.list_replies: list_replies,
    routes_reply.create_reply: create_reply,
    routes_reply.get_reply: get_reply,
}
