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
from app.api.routes import author as author_routes
from app.api.routes import book as book_routes
from app.api.routes import loan as loan_routes
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import author as author_schemas
from app.schemas import book as book_schemas
from app.schemas import loan as loan_schemas
from app.services import author as author_service
from app.services import book as book_service
from app.services import loan as loan_service

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of authors.
author_limit = rate_limit("author")


async def list_authors(request: Request) -> Response:
    """``GET /authors``, for :func:`app.api.routes.author.list_authors`."""
    await author_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(author_service.RULES["list"], user)
        query = query_model(author_schemas.AuthorQuery, request)
        rows, total = await author_service.list_authors(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_author(request: Request) -> Response:
    """``POST /authors``, for :func:`app.api.routes.author.create_author`."""
    await author_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(author_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(author_schemas.AuthorCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await author_service.create_author(db, user, body, idempotency))


async def get_author(request: Request) -> Response:
    """``GET /authors/{id}``, for :func:`app.api.routes.author.get_author`."""
    await author_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(author_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await author_service.get_author(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of books.
book_limit = rate_limit("book")


async def list_books(request: Request) -> Response:
    """``GET /books``, for :func:`app.api.routes.book.list_books`."""
    await book_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(book_service.RULES["list"], user)
        query = query_model(book_schemas.BookQuery, request)
        rows, total = await book_service.list_books(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_book(request: Request) -> Response:
    """``POST /books``, for :func:`app.api.routes.book.create_book`."""
    await book_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(book_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(book_schemas.BookCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await book_service.create_book(db, user, body, idempotency))


async def get_book(request: Request) -> Response:
    """``GET /books/{id}``, for :func:`app.api.routes.book.get_book`."""
    await book_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(book_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await book_service.get_book(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of loans.
loan_limit = rate_limit("loan")


async def list_loans(request: Request) -> Response:
    """``GET /loans``, for :func:`app.api.routes.loan.list_loans`."""
    await loan_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(loan_service.RULES["list"], user)
        query = query_model(loan_schemas.LoanQuery, request)
        rows, total = await loan_service.list_loans(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_loan(request: Request) -> Response:
    """``POST /loans``, for :func:`app.api.routes.loan.create_loan`."""
    await loan_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(loan_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(loan_schemas.LoanCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await loan_service.create_loan(db, user, body, idempotency))


async def get_loan(request: Request) -> Response:
    """``GET /loans/{id}``, for :func:`app.api.routes.loan.get_loan`."""
    await loan_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(loan_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await loan_service.get_loan(db, user, row_id)
    return tagged(row)


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    author_routes.list_authors: list_authors,
    author_routes.create_author: create_author,
    author_routes.get_author: get_author,
    book_routes.list_books: list_books,
    book_routes.create_book: create_book,
    book_routes.get_book: get_book,
    loan_routes.list_loans: list_loans,
    loan_routes.create_loan: create_loan,
    loan_routes.get_loan: get_loan,
}
