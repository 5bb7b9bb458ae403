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
from app.api.paging import next_page, position
from app.api.routes import customer as routes_customer
from app.api.routes import order as routes_order
from app.api.routes import order_item as routes_order_item
from app.api.routes import product as routes_product
from app.api.routes import review as routes_review
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import customer as schemas_customer
from app.schemas import order as schemas_order
from app.schemas import order_item as schemas_order_item
from app.schemas import product as schemas_product
from app.schemas import review as schemas_review
from app.services import customer as service_customer
from app.services import order as service_order
from app.services import order_item as service_order_item
from app.services import product as service_product
from app.services import review as service_review

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of customers.
limit_customer = rate_limit("customer")


async def list_customers(request: Request) -> Response:
    """``GET /customers``, for :func:`app.api.routes.customer.list_customers`."""
    await limit_customer(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_customer.RULES["list"], user)
        query = query_model(schemas_customer.CustomerQuery, request)
        rows, total = await service_customer.list_customers(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_customer(request: Request) -> Response:
    """``POST /customers``, for :func:`app.api.routes.customer.create_customer`."""
    await limit_customer(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_customer.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_customer.CustomerCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_customer.create_customer(db, user, body, idempotency))


async def get_customer(request: Request) -> Response:
    """``GET /customers/{id}``, for :func:`app.api.routes.customer.get_customer`."""
    await limit_customer(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_customer.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_customer.get_customer(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of products.
limit_product = rate_limit("product")


async def list_products(request: Request) -> Response:
    """``GET /products``, for :func:`app.api.routes.product.list_products`."""
    await limit_product(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_product.RULES["list"], user)
        query = query_model(schemas_product.ProductQuery, request)
        rows, total = await service_product.list_products(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_product(request: Request) -> Response:
    """``POST /products``, for :func:`app.api.routes.product.create_product`."""
    await limit_product(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_product.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_product.ProductCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_product.create_product(db, user, body, idempotency))


async def get_product(request: Request) -> Response:
    """``GET /products/{id}``, for :func:`app.api.routes.product.get_product`."""
    await limit_product(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_product.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_product.get_product(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of orders.
limit_order = rate_limit("order")


async def list_orders(request: Request) -> Response:
    """``GET /orders``, for :func:`app.api.routes.order.list_orders`."""
    await limit_order(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_order.RULES["list"], user)
        query = query_model(schemas_order.OrderQuery, request)
        rows, total = await service_order.list_orders(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_order(request: Request) -> Response:
    """``POST /orders``, for :func:`app.api.routes.order.create_order`."""
    await limit_order(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_order.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_order.OrderCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_order.create_order(db, user, body, idempotency))


async def get_order(request: Request) -> Response:
    """``GET /orders/{id}``, for :func:`app.api.routes.order.get_order`."""
    await limit_order(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_order.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_order.get_order(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of order items.
limit_order_item = rate_limit("order_item")


async def list_order_items(request: Request) -> Response:
    """``GET /order_items``, for :func:`app.api.routes.order_item.list_order_items`."""
    await limit_order_item(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_order_item.RULES["list"], user)
        query = query_model(schemas_order_item.OrderItemQuery, request)
        rows, total = await service_order_item.list_order_items(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_order_item(request: Request) -> Response:
    """``POST /order_items``, for :func:`app.api.routes.order_item.create_order_item`."""
    await limit_order_item(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_order_item.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_order_item.OrderItemCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_order_item.create_order_item(db, user, body, idempotency))


async def get_order_item(request: Request) -> Response:
    """``GET /order_items/{id}``, for :func:`app.api.routes.order_item.get_order_item`."""
    await limit_order_item(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_order_item.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_order_item.get_order_item(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of reviews.
limit_review = rate_limit("review")


async def list_reviews(request: Request) -> Response:
    """``GET /reviews``, for :func:`app.api.routes.review.list_reviews`."""
    await limit_review(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_review.RULES["list"], user)
        query = query_model(schemas_review.ReviewQuery, request)
        rows, after = await service_review.list_reviews(db, user, query, position(request, query))
    return next_page(request, query, rows, after)


async def create_review(request: Request) -> Response:
    """``POST /reviews``, for :func:`app.api.routes.review.create_review`."""
    await limit_review(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_review.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_review.ReviewCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_review.create_review(db, user, body, idempotency))


async def get_review(request: Request) -> Response:
    """``GET /reviews/{id}``, for :func:`app.api.routes.review.get_review`."""
    await limit_review(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_review.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_review.get_review(db, user, row_id)
    return tagged(row)


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    routes_customer.list_customers: list_customers,
    routes_customer.create_customer: create_customer,
    routes_customer.get_customer: get_customer,
    routes_product.list_products: list_products,
    routes_product.create_product: create_product,
    routes_product.get_product: get_product,
    routes_order.list_orders: list_orders,
    routes_order.create_order: create_order,
    routes_order.get_order: get_order,
    routes_order_item.list_order_items: list_order_items,
    routes_order_item.create_order_item: create_order_item,
    routes_order_item.get_order_item: get_order_item,
    routes_review.list_reviews: list_reviews,
    routes_review.create_review: create_review,
    routes_review.get_review: get_review,
}
