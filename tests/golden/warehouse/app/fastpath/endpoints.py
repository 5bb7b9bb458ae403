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
from app.api.routes import category as category_routes
from app.api.routes import item as item_routes
from app.api.routes import location as location_routes
from app.api.routes import movement as movement_routes
from app.api.routes import stock as stock_routes
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import category as category_schemas
from app.schemas import item as item_schemas
from app.schemas import location as location_schemas
from app.schemas import movement as movement_schemas
from app.schemas import stock as stock_schemas
from app.services import category as category_service
from app.services import item as item_service
from app.services import location as location_service
from app.services import movement as movement_service
from app.services import stock as stock_service

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of categories.
category_limit = rate_limit("category")


async def list_categories(request: Request) -> Response:
    """``GET /categories``, for :func:`app.api.routes.category.list_categories`."""
    await category_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(category_service.RULES["list"], user)
        query = query_model(category_schemas.CategoryQuery, request)
        rows, total = await category_service.list_categories(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_category(request: Request) -> Response:
    """``POST /categories``, for :func:`app.api.routes.category.create_category`."""
    await category_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(category_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(category_schemas.CategoryCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await category_service.create_category(db, user, body, idempotency))


async def get_category(request: Request) -> Response:
    """``GET /categories/{id}``, for :func:`app.api.routes.category.get_category`."""
    await category_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(category_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await category_service.get_category(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of items.
item_limit = rate_limit("item")


async def list_items(request: Request) -> Response:
    """``GET /items``, for :func:`app.api.routes.item.list_items`."""
    await item_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(item_service.RULES["list"], user)
        query = query_model(item_schemas.ItemQuery, request)
        rows, total = await item_service.list_items(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_item(request: Request) -> Response:
    """``POST /items``, for :func:`app.api.routes.item.create_item`."""
    await item_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(item_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(item_schemas.ItemCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await item_service.create_item(db, user, body, idempotency))


async def get_item(request: Request) -> Response:
    """``GET /items/{id}``, for :func:`app.api.routes.item.get_item`."""
    await item_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(item_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await item_service.get_item(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of locations.
location_limit = rate_limit("location")


async def list_locations(request: Request) -> Response:
    """``GET /locations``, for :func:`app.api.routes.location.list_locations`."""
    await location_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(location_service.RULES["list"], user)
        query = query_model(location_schemas.LocationQuery, request)
        rows, total = await location_service.list_locations(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_location(request: Request) -> Response:
    """``POST /locations``, for :func:`app.api.routes.location.create_location`."""
    await location_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(location_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(location_schemas.LocationCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await location_service.create_location(db, user, body, idempotency))


async def get_location(request: Request) -> Response:
    """``GET /locations/{id}``, for :func:`app.api.routes.location.get_location`."""
    await location_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(location_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await location_service.get_location(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of stock levels.
stock_limit = rate_limit("stock")


async def list_stock_levels(request: Request) -> Response:
    """``GET /stock_levels``, for :func:`app.api.routes.stock.list_stock_levels`."""
    await stock_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(stock_service.RULES["list"], user)
        query = query_model(stock_schemas.StockQuery, request)
        rows, total = await stock_service.list_stock_levels(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_stock(request: Request) -> Response:
    """``POST /stock_levels``, for :func:`app.api.routes.stock.create_stock`."""
    await stock_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(stock_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(stock_schemas.StockCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await stock_service.create_stock(db, user, body, idempotency))


async def get_stock(request: Request) -> Response:
    """``GET /stock_levels/{id}``, for :func:`app.api.routes.stock.get_stock`."""
    await stock_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(stock_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await stock_service.get_stock(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of movements.
movement_limit = rate_limit("movement")


async def list_movements(request: Request) -> Response:
    """``GET /movements``, for :func:`app.api.routes.movement.list_movements`."""
    await movement_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(movement_service.RULES["list"], user)
        query = query_model(movement_schemas.MovementQuery, request)
        rows, total = await movement_service.list_movements(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_movement(request: Request) -> Response:
    """``POST /movements``, for :func:`app.api.routes.movement.create_movement`."""
    await movement_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(movement_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(movement_schemas.MovementCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await movement_service.create_movement(db, user, body, idempotency))


async def get_movement(request: Request) -> Response:
    """``GET /movements/{id}``, for :func:`app.api.routes.movement.get_movement`."""
    await movement_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(movement_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await movement_service.get_movement(db, user, row_id)
    return tagged(row)


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    category_routes.list_categories: list_categories,
    category_routes.create_category: create_category,
    category_routes.get_category: get_category,
    item_routes.list_items: list_items,
    item_routes.create_item: create_item,
    item_routes.get_item: get_item,
    location_routes.list_locations: list_locations,
    location_routes.create_location: create_location,
    location_routes.get_location: get_location,
    stock_routes.list_stock_levels: list_stock_levels,
    stock_routes.create_stock: create_stock,
    stock_routes.get_stock: get_stock,
    movement_routes.list_movements: list_movements,
    movement_routes.create_movement: create_movement,
    movement_routes.get_movement: get_movement,
}
