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
from app.api.routes import bookmark as routes_bookmark
from app.api.routes import comment as routes_comment
from app.api.routes import post as routes_post
from app.api.routes import tag as routes_tag
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import bookmark as schemas_bookmark
from app.schemas import comment as schemas_comment
from app.schemas import post as schemas_post
from app.schemas import tag as schemas_tag
from app.services import bookmark as service_bookmark
from app.services import comment as service_comment
from app.services import post as service_post
from app.services import tag as service_tag

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of posts.
limit_post = rate_limit("post")


async def list_posts(request: Request) -> Response:
    """``GET /posts``, for :func:`app.api.routes.post.list_posts`."""
    await limit_post(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_post.RULES["list"], user)
        query = query_model(schemas_post.PostQuery, request)
        rows, total = await service_post.list_posts(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_post(request: Request) -> Response:
    """``POST /posts``, for :func:`app.api.routes.post.create_post`."""
    await limit_post(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_post.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_post.PostCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_post.create_post(db, user, body, idempotency))


async def get_post(request: Request) -> Response:
    """``GET /posts/{id}``, for :func:`app.api.routes.post.get_post`."""
    await limit_post(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_post.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_post.get_post(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of comments.
limit_comment = rate_limit("comment")


async def list_comments(request: Request) -> Response:
    """``GET /comments``, for :func:`app.api.routes.comment.list_comments`."""
    await limit_comment(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_comment.RULES["list"], user)
        query = query_model(schemas_comment.CommentQuery, request)
        rows, total = await service_comment.list_comments(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_comment(request: Request) -> Response:
    """``POST /comments``, for :func:`app.api.routes.comment.create_comment`."""
    await limit_comment(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_comment.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_comment.CommentCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_comment.create_comment(db, user, body, idempotency))


async def get_comment(request: Request) -> Response:
    """``GET /comments/{id}``, for :func:`app.api.routes.comment.get_comment`."""
    await limit_comment(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_comment.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_comment.get_comment(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of tags.
limit_tag = rate_limit("tag")


async def list_tags(request: Request) -> Response:
    """``GET /tags``, for :func:`app.api.routes.tag.list_tags`."""
    await limit_tag(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_tag.RULES["list"], user)
        query = query_model(schemas_tag.TagQuery, request)
        rows, total = await service_tag.list_tags(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_tag(request: Request) -> Response:
    """``POST /tags``, for :func:`app.api.routes.tag.create_tag`."""
    await limit_tag(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_tag.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_tag.TagCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_tag.create_tag(db, user, body, idempotency))


async def get_tag(request: Request) -> Response:
    """``GET /tags/{id}``, for :func:`app.api.routes.tag.get_tag`."""
    await limit_tag(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_tag.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_tag.get_tag(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of bookmarks.
limit_bookmark = rate_limit("bookmark")


async def list_bookmarks(request: Request) -> Response:
    """``GET /bookmarks``, for :func:`app.api.routes.bookmark.list_bookmarks`."""
    await limit_bookmark(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_bookmark.RULES["list"], user)
        query = query_model(schemas_bookmark.BookmarkQuery, request)
        rows, total = await service_bookmark.list_bookmarks(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_bookmark(request: Request) -> Response:
    """``POST /bookmarks``, for :func:`app.api.routes.bookmark.create_bookmark`."""
    await limit_bookmark(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_bookmark.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(schemas_bookmark.BookmarkCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await service_bookmark.create_bookmark(db, user, body, idempotency))


async def get_bookmark(request: Request) -> Response:
    """``GET /bookmarks/{id}``, for :func:`app.api.routes.bookmark.get_bookmark`."""
    await limit_bookmark(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(service_bookmark.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await service_bookmark.get_bookmark(db, user, row_id)
    return tagged(row)


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    routes_post.list_posts: list_posts,
    routes_post.create_post: create_post,
    routes_post.get_post: get_post,
    routes_comment.list_comments: list_comments,
    routes_comment.create_comment: create_comment,
    routes_comment.get_comment: get_comment,
    routes_tag.list_tags: list_tags,
    routes_tag.create_tag: create_tag,
    routes_tag.get_tag: get_tag,
    routes_bookmark.list_bookmarks: list_bookmarks,
    routes_bookmark.create_bookmark: create_bookmark,
    routes_bookmark.get_bookmark: get_bookmark,
}
