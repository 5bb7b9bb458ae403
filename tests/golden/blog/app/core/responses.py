"""JSON responses in the service's envelope, serialised with orjson."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson
from starlette.responses import Response


def _default(value: object) -> object:
    # Decimals travel as strings so no precision is lost on the way to the client;
    # asyncpg returns its own UUID subclass, which orjson does not know.
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class JSONResponse(Response):
    """A JSON response rendered by orjson (datetimes, dates and UUIDs natively)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_default)


def ok(
    data: Any, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A success envelope around ``data``."""
    return JSONResponse({"success": True, "data": data}, status_code=status_code, headers=headers)


def page(rows: Sequence[Mapping[str, Any]], *, page: int, limit: int, total: int) -> JSONResponse:
    """A success envelope around one page of a list, with its paging metadata."""
    return JSONResponse(
        {
            "success": True,
            "data": rows,
            "meta": {"page": page, "limit": limit, "total": total},
        }
    )


def no_content() -> Response:
    """An empty 204 response."""
    return Response(status_code=204)
