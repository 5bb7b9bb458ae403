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
from app.api.routes import customer as customer_routes
from app.api.routes import order as order_routes
from app.api.routes import order_item as order_item_routes
from app.api.routes import product as product_routes
from app.api.routes import review as review_routes
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import customer as customer_schemas
from app.schemas import order as order_schemas
from app.schemas import order_item as order_item_schemas
from app.schemas import product as product_schemas
from app.schemas import review as review_schemas
from app.services import customer as customer_service
from app.services import order as order_service
from app.services import order_item as order_item_service
from app.services import product as product_service
from app.services import review as review_service

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of customers.
customer_limit = rate_limit("customer")


async def list_customers(request: Request) -> Response:
    """``GET /customers``, for :func:`app.api.routes.customer.list_customers`."""
    await customer_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(customer_service.RULES["list"], user)
        query = query_model(customer_schemas.CustomerQuery, request)
        rows, total = await customer_service.list_customers(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_customer(request: Request) -> Response:
    """``POST /customers``, for :func:`app.api.routes.customer.create_customer`."""
    await customer_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(customer_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(customer_schemas.CustomerCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await customer_service.create_customer(db, user, body, idempotency))


async def get_customer(request: Request) -> Response:
    """``GET /customers/{id}``, for :func:`app.api.routes.customer.get_customer`."""
    await customer_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(customer_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await customer_service.get_customer(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of products.
product_limit = rate_limit("product")


async def list_products(request: Request) -> Response:
    """``GET /products``, for :func:`app.api.routes.product.list_products`."""
    await product_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(product_service.RULES["list"], user)
        query = query_model(product_schemas.ProductQuery, request)
        rows, total = await product_service.list_products(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_product(request: Request) -> Response:
    """``POST /products``, for :func:`app.api.routes.product.create_product`."""
    await product_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(product_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(product_schemas.ProductCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await product_service.create_product(db, user, body, idempotency))


async def get_product(request: Request) -> Response:
    """``GET /products/{id}``, for :func:`app.api.routes.product.get_product`."""
    await product_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(product_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await product_service.get_product(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of orders.
order_limit = rate_limit("order")


async def list_orders(request: Request) -> Response:
    """``GET /orders``, for :func:`app.api.routes.order.list_orders`."""
    await order_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(order_service.RULES["list"], user)
        query = query_model(order_schemas.OrderQuery, request)
        rows, total = await order_service.list_orders(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_order(request: Request) -> Response:
    """``POST /orders``, for :func:`app.api.routes.order.create_order`."""
    await order_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(order_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(order_schemas.OrderCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await order_service.create_order(db, user, body, idempotency))


async def get_order(request: Request) -> Response:
    """``GET /orders/{id}``, for :func:`app.api.routes.order.get_order`."""
    await order_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(order_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await order_service.get_order(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of order items.
order_item_limit = rate_limit("order_item")


async def list_order_items(request: Request) -> Response:
    """``GET /order_items``, for :func:`app.api.routes.order_item.list_order_items`."""
    await order_item_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(order_item_service.RULES["list"], user)
        query = query_model(order_item_schemas.OrderItemQuery, request)
        rows, total = await order_item_service.list_order_items(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_order_item(request: Request) -> Response:
    """``POST /order_items``, for :func:`app.api.routes.order_item.create_order_item`."""
    await order_item_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(order_item_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(order_item_schemas.OrderItemCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await order_item_service.create_order_item(db, user, body, idempotency))


async def get_order_item(request: Request) -> Response:
    """``GET /order_items/{id}``, for :func:`app.api.routes.order_item.get_order_item`."""
    await order_item_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(order_item_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await order_item_service.get_order_item(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of reviews.
review_limit = rate_limit("review")


async def list_reviews(request: Request) -> Response:
    """``GET /reviews``, for :func:`app.api.routes.review.list_reviews`."""
    await review_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(review_service.RULES["list"], user)
        query = query_model(review_schemas.ReviewQuery, request)
        rows, after = await review_service.list_reviews(db, user, query, position(request, query))
    return next_page(request, query, rows, after)


async def create_review(request: Request) -> Response:
    """``POST /reviews``, for :func:`app.api.routes.review.create_review`."""
    await review_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(review_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(review_schemas.ReviewCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await review_service.create_review(db, user, body, idempotency))


async def get_review(request: Request) -> Response:
    """``GET /reviews/{id}``, for :func:`app.api.routes.review.get_review`."""
    await review_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(review_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await review_service.get_review(db, user, row_id)
    return tagged(row)


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    customer_routes.list_customers: list_customers,
    customer_routes.create_customer: create_customer,
    customer_routes.get_customer: get_customer,
    product_routes.list_products: list_products,
    product_routes.create_product: create_product,
    product_routes.get_product: get_product,
    order_routes.list_orders: list_orders,
    order_routes.create_order: create_order,
    order_routes.get_order: get_order,
    order_item_routes.list_order_items: list_order_items,
    order_item_routes.create_order_item: create_order_item,
    order_item_routes.get_order_item: get_order_item,
    review_routes.list_reviews: list_reviews,
    review_routes.create_review: create_review,
    review_routes.get_review: get_review,
}
