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
from app.api.routes import bookmark as bookmark_routes
from app.api.routes import comment as comment_routes
from app.api.routes import post as post_routes
from app.api.routes import tag as tag_routes
from app.core.permissions import authorize
from app.core.responses import created, page, tagged
from app.fastpath import Endpoint
from app.schemas import bookmark as bookmark_schemas
from app.schemas import comment as comment_schemas
from app.schemas import post as post_schemas
from app.schemas import tag as tag_schemas
from app.services import bookmark as bookmark_service
from app.services import comment as comment_service
from app.services import post as post_service
from app.services import tag as tag_service

__all__ = ["ENDPOINTS"]

# The limit app.api.router puts on every route of posts.
post_limit = rate_limit("post")


async def list_posts(request: Request) -> Response:
    """``GET /posts``, for :func:`app.api.routes.post.list_posts`."""
    await post_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(post_service.RULES["list"], user)
        query = query_model(post_schemas.PostQuery, request)
        rows, total = await post_service.list_posts(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_post(request: Request) -> Response:
    """``POST /posts``, for :func:`app.api.routes.post.create_post`."""
    await post_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(post_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(post_schemas.PostCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await post_service.create_post(db, user, body, idempotency))


async def get_post(request: Request) -> Response:
    """``GET /posts/{id}``, for :func:`app.api.routes.post.get_post`."""
    await post_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(post_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await post_service.get_post(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of comments.
comment_limit = rate_limit("comment")


async def list_comments(request: Request) -> Response:
    """``GET /comments``, for :func:`app.api.routes.comment.list_comments`."""
    await comment_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(comment_service.RULES["list"], user)
        query = query_model(comment_schemas.CommentQuery, request)
        rows, total = await comment_service.list_comments(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_comment(request: Request) -> Response:
    """``POST /comments``, for :func:`app.api.routes.comment.create_comment`."""
    await comment_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(comment_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(comment_schemas.CommentCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await comment_service.create_comment(db, user, body, idempotency))


async def get_comment(request: Request) -> Response:
    """``GET /comments/{id}``, for :func:`app.api.routes.comment.get_comment`."""
    await comment_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(comment_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await comment_service.get_comment(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of tags.
tag_limit = rate_limit("tag")


async def list_tags(request: Request) -> Response:
    """``GET /tags``, for :func:`app.api.routes.tag.list_tags`."""
    await tag_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(tag_service.RULES["list"], user)
        query = query_model(tag_schemas.TagQuery, request)
        rows, total = await tag_service.list_tags(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_tag(request: Request) -> Response:
    """``POST /tags``, for :func:`app.api.routes.tag.create_tag`."""
    await tag_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(tag_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(tag_schemas.TagCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await tag_service.create_tag(db, user, body, idempotency))


async def get_tag(request: Request) -> Response:
    """``GET /tags/{id}``, for :func:`app.api.routes.tag.get_tag`."""
    await tag_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(tag_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await tag_service.get_tag(db, user, row_id)
    return tagged(row)


# The limit app.api.router puts on every route of bookmarks.
bookmark_limit = rate_limit("bookmark")


async def list_bookmarks(request: Request) -> Response:
    """``GET /bookmarks``, for :func:`app.api.routes.bookmark.list_bookmarks`."""
    await bookmark_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(bookmark_service.RULES["list"], user)
        query = query_model(bookmark_schemas.BookmarkQuery, request)
        rows, total = await bookmark_service.list_bookmarks(db, user, query)
    return page(rows, page=query.page, limit=query.limit, total=total)


async def create_bookmark(request: Request) -> Response:
    """``POST /bookmarks``, for :func:`app.api.routes.bookmark.create_bookmark`."""
    await bookmark_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(bookmark_service.RULES["create"], user)
        value = await read_json(request)
        errors: list[Any] = []
        body = validated(bookmark_schemas.BookmarkCreate, value, errors)
        if body is None:
            raise RequestValidationError(errors, body=value)
        user = await get_current_user(user)
        idempotency = await idempotent_request(request, user, errors)
        if errors:
            raise RequestValidationError(errors)
        return created(await bookmark_service.create_bookmark(db, user, body, idempotency))


async def get_bookmark(request: Request) -> Response:
    """``GET /bookmarks/{id}``, for :func:`app.api.routes.bookmark.get_bookmark`."""
    await bookmark_limit(request)
    async with connect(request) as db:
        user = await get_optional_user(request, db)
        authorize(bookmark_service.RULES["read"], user)
        # The fast path only takes a UUID here.
        row_id = uuid.UUID(request.path_params["id"])
        row = await bookmark_service.get_bookmark(db, user, row_id)
    return tagged(row)


# Each FastAPI endpoint the fast path serves, and the plain endpoint standing in for it.
ENDPOINTS: dict[Callable[..., Any], Endpoint] = {
    post_routes.list_posts: list_posts,
    post_routes.create_post: create_post,
    post_routes.get_post: get_post,
    comment_routes.list_comments: list_comments,
    comment_routes.create_comment: create_comment,
    comment_routes.get_comment: get_comment,
    tag_routes.list_tags: list_tags,
    tag_routes.create_tag: create_tag,
    tag_routes.get_tag: get_tag,
    bookmark_routes.list_bookmarks: list_bookmarks,
    bookmark_routes.create_bookmark: create_bookmark,
    bookmark_routes.get_bookmark: get_bookmark,
}
