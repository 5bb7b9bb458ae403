"""The cursors of a list paged by keyset, where the request meets the service: the
route opens the cursor a client sent and writes the next one (app/core/cursors.py),
under the service's ``SECRET_KEY``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.core import cursors
from app.core.cursors import Position
from app.core.responses import window

__all__ = ["CursorQuery", "next_cursor", "next_page", "position"]


class CursorQuery(Protocol):
    """The query string of a list paged by cursor, as far as paging goes."""

    cursor: str | None
    limit: int

    @property
    def sort(self) -> str: ...


def _secret(request: Request) -> bytes:
    return bytes(request.app.state.settings.secret_key.get_secret_value(), "utf-8")


def position(request: Request, query: CursorQuery) -> Position | None:
    """The position ``query.cursor`` names (``None`` without one: the first page); a
    cursor this list did not make is a 422 naming ``query.cursor``."""
    if query.cursor is None:
        return None
    try:
        return cursors.read(query.cursor, query.sort, _secret(request))
    except cursors.InvalidCursor as exc:
        error = {
            "type": "value_error",
            "loc": ("query", "cursor"),
            "msg": f"Value error, {exc}",
            "input": query.cursor,
            "ctx": {"error": str(exc)},
        }
        raise RequestValidationError([error]) from None


def next_cursor(request: Request, query: CursorQuery, after: Position | None) -> str | None:
    """The cursor of the rows ``after`` a page (``None`` after the last page)."""
    return None if after is None else cursors.write(query.sort, after, _secret(request))


def next_page(
    request: Request,
    query: CursorQuery,
    rows: Sequence[Mapping[str, Any]],
    after: Position | None,
) -> JSONResponse:
    """The page of ``rows``, with the cursor (and URL) of the rows ``after`` it, if any."""
    cursor = next_cursor(request, query, after)
    if cursor is None:
        return window(rows, limit=query.limit, next_cursor=None, next_url=None)
    url = str(request.url.include_query_params(cursor=cursor))
    return window(rows, limit=query.limit, next_cursor=cursor, next_url=url)
