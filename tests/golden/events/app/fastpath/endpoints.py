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
from app.api.routes import event as routes_event
from app.api.routes import showing as routes_showing
from app.api.routes import ticket as routes_ticket
from app.api.routes import venue as routes_venue
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import event as schemas_event
from app.schemas import showing as schemas_showing
from app.schemas import ticket as schemas_ticket
from app.schemas import venue as schemas_venue
from app.services import event as service_event
from app.services import showing as service_showing
from app.services import ticket as service_ticket
from app.services import venue as service_venue

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of venues.
limit_venue = rate_limit("venue")


async def list_venues(request: Request) -> Response:
    """``GET /venues``, for :func:`app.api.routes.venue.list_venues`."""
    await limit_venue(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_venue.RULES["list"], user)
        query = query_model(schemas_venue.VenueQuery, request)
        rows, total = await service_venue.list_venues(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_venue(request: Request) -> Response:
    """``POST /venues``, for :func:`app.api.routes.venue.create_venue`."""
    await limit_venue(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_venue.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_venue.VenueCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_venue.create_venue(db, user, body, idempotency))


async def get_venue(request: Request) -> Response:
    """``GET /venues/{id}``, for :func:`app.api.routes.venue.get_venue`."""
    await limit_venue(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_venue.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_venue.get_venue(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of events.
limit_event = rate_limit("event")


async def list_events(request: Request) -> Response:
    """``GET /events``, for :func:`app.api.routes.event.list_events`."""
    await limit_event(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_event.RULES["list"], user)
        query = query_model(schemas_event.EventQuery, request)
        rows, total = await service_event.list_events(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_event(request: Request) -> Response:
    """``POST /events``, for :func:`app.api.routes.event.create_event`."""
    await limit_event(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_event.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_event.EventCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_event.create_event(db, user, body, idempotency))


async def get_event(request: Request) -> Response:
    """``GET /events/{id}``, for :func:`app.api.routes.event.get_event`."""
    await limit_event(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_event.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_event.get_event(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of showings.
limit_showing = rate_limit("showing")


async def list_showings(request: Request) -> Response:
    """``GET /showings``, for :func:`app.api.routes.showing.list_showings`."""
    await limit_showing(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_showing.RULES["list"], user)
        query = query_model(schemas_showing.ShowingQuery, request)
        rows, total = await service_showing.list_showings(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_showing(request: Request) -> Response:
    """``POST /showings``, for :func:`app.api.routes.showing.create_showing`."""
    await limit_showing(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_showing.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_showing.ShowingCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_showing.create_showing(db, user, body, idempotency))


async def get_showing(request: Request) -> Response:
    """``GET /showings/{id}``, for :func:`app.api.routes.showing.get_showing`."""
    await limit_showing(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_showing.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_showing.get_showing(db, user, row_id)
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


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    routes_venue.list_venues: list_venues,
    routes_venue.create_venue: create_venue,
    routes_venue.get_venue: get_venue,
    routes_event.list_events: list_events,
    routes_event.create_event: create_event,
    routes_event.get_event: get_event,
    routes_showing.list_showings: list_showings,
    routes_showing.create_showing: create_showing,
    routes_showing.get_showing: get_showing,
    routes_ticket.list_tickets: list_tickets,
    routes_ticket.create_ticket: create_ticket,
    routes_ticket.get_ticket: get_ticket,
}
