"""ASGI middleware: request ids, security headers, the last-resort 500, body size limits."""

from __future__ import annotations

import logging
import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import error_response

logger = logging.getLogger(__name__)

# An incoming X-Request-ID is echoed only when it is short and plain, so it cannot
# smuggle anything into logs or headers.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def request_id_of(scope: Scope) -> str:
    """The id given to this request by :class:`RequestContextMiddleware`."""
    return str(scope.get("state", {}).get("request_id", ""))


class RequestContextMiddleware:
    """Give every request an id, add the security headers, and turn a crash into a 500.

    It is the outermost middleware, so even errors raised by other middleware come
    back in the envelope with an ``X-Request-ID``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Logged with the request id; the client sees neither the trace nor the SQL.
            logger.exception("unhandled error (request %s %s)", request_id, scope["path"])
            if started:
                raise
            response = error_response(
                request_id, 500, "INTERNAL_ERROR", "An unexpected error occurred."
            )
            await response(scope, receive, send_with_headers)


class PayloadTooLarge(HTTPException):
    """Raised while reading a body that grew past the limit without announcing its size."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="The request body is too large.")


class BodySizeLimitMiddleware:
    """Refuse request bodies larger than ``max_bytes`` with 413 PAYLOAD_TOO_LARGE."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response = error_response(
                request_id_of(scope), 413, "PAYLOAD_TOO_LARGE", "The request body is too large."
            )
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            # Chunked bodies have no Content-Length: count as they arrive.
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise PayloadTooLarge
            return message

        await self.app(scope, counting_receive, send)
