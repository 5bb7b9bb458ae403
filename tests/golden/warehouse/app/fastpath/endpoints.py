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
from app.api.routes import category as routes_category
from app.api.routes import item as routes_item
from app.api.routes import location as routes_location
from app.api.routes import movement as routes_movement
from app.api.routes import stock as routes_stock
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import category as schemas_category
from app.schemas import item as schemas_item
from app.schemas import location as schemas_location
from app.schemas import movement as schemas_movement
from app.schemas import stock as schemas_stock
from app.services import category as service_category
from app.services import item as service_item
from app.services import location as service_location
from app.services import movement as service_movement
from app.services import stock as service_stock

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of categories.
limit_category = rate_limit("category")


async def list_categories(request: Request) -> Response:
    """``GET /categories``, for :func:`app.api.routes.category.list_categories`."""
    await limit_category(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_category.RULES["list"], user)
        query = query_model(schemas_category.CategoryQuery, request)
        rows, total = await service_category.list_categories(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_category(request: Request) -> Response:
    """``POST /categories``, for :func:`app.api.routes.category.create_category`."""
    await limit_category(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_category.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_category.CategoryCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_category.create_category(db, user, body, idempotency))


async def get_category(request: Request) -> Response:
    """``GET /categories/{id}``, for :func:`app.api.routes.category.get_category`."""
    await limit_category(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_category.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_category.get_category(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of items.
limit_item = rate_limit("item")


async def list_items(request: Request) -> Response:
    """``GET /items``, for :func:`app.api.routes.item.list_items`."""
    await limit_item(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_item.RULES["list"], user)
        query = query_model(schemas_item.ItemQuery, request)
        rows, total = await service_item.list_items(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_item(request: Request) -> Response:
    """``POST /items``, for :func:`app.api.routes.item.create_item`."""
    await limit_item(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_item.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_item.ItemCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_item.create_item(db, user, body, idempotency))


async def get_item(request: Request) -> Response:
    """``GET /items/{id}``, for :func:`app.api.routes.item.get_item`."""
    await limit_item(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_item.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_item.get_item(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of locations.
limit_location = rate_limit("location")


async def list_locations(request: Request) -> Response:
    """``GET /locations``, for :func:`app.api.routes.location.list_locations`."""
    await limit_location(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_location.RULES["list"], user)
        query = query_model(schemas_location.LocationQuery, request)
        rows, total = await service_location.list_locations(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_location(request: Request) -> Response:
    """``POST /locations``, for :func:`app.api.routes.location.create_location`."""
    await limit_location(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_location.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_location.LocationCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_location.create_location(db, user, body, idempotency))


async def get_location(request: Request) -> Response:
    """``GET /locations/{id}``, for :func:`app.api.routes.location.get_location`."""
    await limit_location(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_location.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_location.get_location(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of stock levels.
limit_stock = rate_limit("stock")


async def list_stock_levels(request: Request) -> Response:
    """``GET /stock_levels``, for :func:`app.api.routes.stock.list_stock_levels`."""
    await limit_stock(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_stock.RULES["list"], user)
        query = query_model(schemas_stock.StockQuery, request)
        rows, total = await service_stock.list_stock_levels(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_stock(request: Request) -> Response:
    """``POST /stock_levels``, for :func:`app.api.routes.stock.create_stock`."""
    await limit_stock(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_stock.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_stock.StockCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_stock.create_stock(db, user, body, idempotency))


async def get_stock(request: Request) -> Response:
    """``GET /stock_levels/{id}``, for :func:`app.api.routes.stock.get_stock`."""
    await limit_stock(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_stock.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_stock.get_stock(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of movements.
limit_movement = rate_limit("movement")


async def list_movements(request: Request) -> Response:
    """``GET /movements``, for :func:`app.api.routes.movement.list_movements`."""
    await limit_movement(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_movement.RULES["list"], user)
        query = query_model(schemas_movement.MovementQuery, request)
        rows, total = await service_movement.list_movements(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_movement(request: Request) -> Response:
    """``POST /movements``, for :func:`app.api.routes.movement.create_movement`."""
    await limit_movement(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_movement.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_movement.MovementCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_movement.create_movement(db, user, body, idempotency))


async def get_movement(request: Request) -> Response:
    """``GET /movements/{id}``, for :func:`app.api.routes.movement.get_movement`."""
    await limit_movement(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_movement.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_movement.get_movement(db, user, row_id)
    return tagged(row)


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    routes_category.list_categories: list_categories,
    routes_category.create_category: create_category,
    routes_category.get_category: get_category,
    routes_item.list_items: list_items,
    routes_item.create_item: create_item,
    routes_item.get_item: get_item,
    routes_location.list_locations: list_locations,
    routes_location.create_location: create_location,
    routes_location.get_location: get_location,
    routes_stock.list_stock_levels: list_stock_levels,
    routes_stock.create_stock: create_stock,
    routes_stock.get_stock: get_stock,
    routes_movement.list_movements: list_movements,
    routes_movement.create_movement: create_movement,
    routes_movement.get_movement: get_movement,
}
