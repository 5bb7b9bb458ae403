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
from app.api.routes import event as event_routes
from app.api.routes import showing as showing_routes
from app.api.routes import ticket as ticket_routes
from app.api.routes import venue as venue_routes
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import event as event_schemas
from app.schemas import showing as showing_schemas
from app.schemas import ticket as ticket_schemas
from app.schemas import venue as venue_schemas
from app.services import event as event_service
from app.services import showing as showing_service
from app.services import ticket as ticket_service
from app.services import venue as venue_service

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of venues.
venue_limit = rate_limit("venue")


async def list_venues(request: Request) -> Response:
    """``GET /venues``, for :func:`app.api.routes.venue.list_venues`."""
    await venue_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(venue_service.RULES["list"], user)
        query = query_model(venue_schemas.VenueQuery, request)
        rows, total = await venue_service.list_venues(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_venue(request: Request) -> Response:
    """``POST /venues``, for :func:`app.api.routes.venue.create_venue`."""
    await venue_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(venue_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(venue_schemas.VenueCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await venue_service.create_venue(db, user, body, idempotency))


async def get_venue(request: Request) -> Response:
    """``GET /venues/{id}``, for :func:`app.api.routes.venue.get_venue`."""
    await venue_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(venue_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await venue_service.get_venue(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of events.
event_limit = rate_limit("event")


async def list_events(request: Request) -> Response:
    """``GET /events``, for :func:`app.api.routes.event.list_events`."""
    await event_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(event_service.RULES["list"], user)
        query = query_model(event_schemas.EventQuery, request)
        rows, total = await event_service.list_events(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_event(request: Request) -> Response:
    """``POST /events``, for :func:`app.api.routes.event.create_event`."""
    await event_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(event_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(event_schemas.EventCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await event_service.create_event(db, user, body, idempotency))


async def get_event(request: Request) -> Response:
    """``GET /events/{id}``, for :func:`app.api.routes.event.get_event`."""
    await event_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(event_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await event_service.get_event(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of showings.
showing_limit = rate_limit("showing")


async def list_showings(request: Request) -> Response:
    """``GET /showings``, for :func:`app.api.routes.showing.list_showings`."""
    await showing_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(showing_service.RULES["list"], user)
        query = query_model(showing_schemas.ShowingQuery, request)
        rows, total = await showing_service.list_showings(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_showing(request: Request) -> Response:
    """``POST /showings``, for :func:`app.api.routes.showing.create_showing`."""
    await showing_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(showing_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(showing_schemas.ShowingCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await showing_service.create_showing(db, user, body, idempotency))


async def get_showing(request: Request) -> Response:
    """``GET /showings/{id}``, for :func:`app.api.routes.showing.get_showing`."""
    await showing_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(showing_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await showing_service.get_showing(db, user, row_id)
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


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    venue_routes.list_venues: list_venues,
    venue_routes.create_venue: create_venue,
    venue_routes.get_venue: get_venue,
    event_routes.list_events: list_events,
    event_routes.create_event: create_event,
    event_routes.get_event: get_event,
    showing_routes.list_showings: list_showings,
    showing_routes.create_showing: create_showing,
    showing_routes.get_showing: get_showing,
    ticket_routes.list_tickets: list_tickets,
    ticket_routes.create_ticket: create_ticket,
    ticket_routes.get_ticket: get_ticket,
}
