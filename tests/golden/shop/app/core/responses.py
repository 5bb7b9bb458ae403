"""JSON responses in the service's envelope, serialised with orjson."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson
from starlette.responses import JSONResponse as StarletteJSONResponse
from starlette.responses import Response

from app.core.idempotency import Created


def _default(value: object) -> object:
    # Decimals travel as strings so no precision is lost on the way to the client;
    # asyncpg returns its own UUID subclass, which orjson does not know.
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(content: Any) -> bytes:
    """``content`` as JSON, exactly as responses serialise it."""
    return orjson.dumps(content, default=_default)


def etag(row: Mapping[str, Any]) -> str:
    """A strong ETag of a row's representation: a digest of its canonical JSON.

    Every response field takes part, ``updated_at`` included, so any write changes it.
    """
    canonical = orjson.dumps(row, default=_default, option=orjson.OPT_SORT_KEYS)
    return f'"{hashlib.sha256(canonical).hexdigest()[:32]}"'


class JSONResponse(StarletteJSONResponse):
    """A JSON response rendered by orjson (datetimes, dates and UUIDs natively).

    Starlette's JSONResponse by class, so FastAPI documents what a route returns as
    JSON (a plain Response would be documented as a string).
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


def ok(
    data: Any, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A success envelope around ``data``."""
    return JSONResponse({"success": True, "data": data}, status_code=status_code, headers=headers)


def tagged(row: Mapping[str, Any]) -> JSONResponse:
    """A success envelope around one row, with its ETag for a later If-Match."""
    return ok(row, headers={"ETag": etag(row)})


def created(result: Created) -> JSONResponse:
    """201 with the new row, its Location and ETag; a replayed one says so."""
    headers = {"Location": result.location, "ETag": etag(result.data)}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return ok(result.data, status_code=201, headers=headers)


def page(rows: Sequence[Mapping[str, Any]], *, page: int, limit: int, total: int) -> JSONResponse:
    """A success envelope around one page of a list, with its paging metadata."""
    return JSONResponse(
        {
            "success": True,
            "data": rows,
            "meta": {"page": page, "limit": limit, "total": total},
        }
    )


def window(
    rows: Sequence[Mapping[str, Any]], *, limit: int, next_cursor: str | None, next_url: str | None
) -> JSONResponse:
    """A success envelope around one page of a list paged by cursor: the cursor of the
    next page in its metadata, and the next page's URL in a ``Link`` header (RFC 8288),
    both absent (null) on the last page."""
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url is not None else None
    return JSONResponse(
        {"success": True, "data": rows, "meta": {"limit": limit, "next_cursor": next_cursor}},
        headers=headers,
    )


def no_content() -> Response:
    """An empty 204 response."""
    return Response(status_code=204)
