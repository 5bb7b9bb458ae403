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
from app.api.routes import author as routes_author
from app.api.routes import book as routes_book
from app.api.routes import loan as routes_loan
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import author as schemas_author
from app.schemas import book as schemas_book
from app.schemas import loan as schemas_loan
from app.services import author as service_author
from app.services import book as service_book
from app.services import loan as service_loan

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of authors.
limit_author = rate_limit("author")


async def list_authors(request: Request) -> Response:
    """``GET /authors``, for :func:`app.api.routes.author.list_authors`."""
    await limit_author(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_author.RULES["list"], user)
        query = query_model(schemas_author.AuthorQuery, request)
        rows, total = await service_author.list_authors(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_author(request: Request) -> Response:
    """``POST /authors``, for :func:`app.api.routes.author.create_author`."""
    await limit_author(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_author.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_author.AuthorCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_author.create_author(db, user, body, idempotency))


async def get_author(request: Request) -> Response:
    """``GET /authors/{id}``, for :func:`app.api.routes.author.get_author`."""
    await limit_author(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_author.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_author.get_author(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of books.
limit_book = rate_limit("book")


async def list_books(request: Request) -> Response:
    """``GET /books``, for :func:`app.api.routes.book.list_books`."""
    await limit_book(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_book.RULES["list"], user)
        query = query_model(schemas_book.BookQuery, request)
        rows, total = await service_book.list_books(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_book(request: Request) -> Response:
    """``POST /books``, for :func:`app.api.routes.book.create_book`."""
    await limit_book(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_book.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_book.BookCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_book.create_book(db, user, body, idempotency))


async def get_book(request: Request) -> Response:
    """``GET /books/{id}``, for :func:`app.api.routes.book.get_book`."""
    await limit_book(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_book.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_book.get_book(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of loans.
limit_loan = rate_limit("loan")


async def list_loans(request: Request) -> Response:
    """``GET /loans``, for :func:`app.api.routes.loan.list_loans`."""
    await limit_loan(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_loan.RULES["list"], user)
        query = query_model(schemas_loan.LoanQuery, request)
        rows, total = await service_loan.list_loans(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_loan(request: Request) -> Response:
    """``POST /loans``, for :func:`app.api.routes.loan.create_loan`."""
    await limit_loan(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_loan.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_loan.LoanCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_loan.create_loan(db, user, body, idempotency))


async def get_loan(request: Request) -> Response:
    """``GET /loans/{id}``, for :func:`app.api.routes.loan.get_loan`."""
    await limit_loan(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_loan.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_loan.get_loan(db, user, row_id)
    return tagged(row)


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    routes_author.list_authors: list_authors,
    routes_author.create_author: create_author,
    routes_author.get_author: get_author,
    routes_book.list_books: list_books,
    routes_book.create_book: create_book,
    routes_book.get_book: get_book,
    routes_loan.list_loans: list_loans,
    routes_loan.create_loan: create_loan,
    routes_loan.get_loan: get_loan,
}
