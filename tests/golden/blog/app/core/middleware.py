"""ASGI middleware: the request context (id, access log, headers, last-resort 500), body
size limits and CORS."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.context import request_id_var
from app.core.errors import error_response
from app.core.logging import redact

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("app.access")

# An incoming X-Request-ID is echoed only when it is short and plain, so it cannot
# smuggle anything into logs or headers.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Sent only over https (directly or behind a proxy that says so): browsers ignore it on
# plain http, and pinning a host that has no certificate would lock its users out.
HSTS = "max-age=63072000; includeSubDomains"


def request_id_of(scope: Scope) -> str:
    """The id given to this request by :class:`RequestContextMiddleware`."""
    return str(scope.get("state", {}).get("request_id", ""))


class RequestContextMiddleware:
    """Give every request an id, add the security headers, and turn a crash into a 500.

    It is the outermost middleware, so even errors raised by other middleware come
    back in the envelope with an ``X-Request-ID``.
    """

    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        # Every log line written while serving this request carries its id.
        token = request_id_var.set(request_id)
        started_at = time.perf_counter()
        status = 500
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        try:
            await self._serve(scope, receive, send_with_headers, request_id)
        finally:
            if self.access_log:
                self._log_access(scope, status, time.perf_counter() - started_at)
            request_id_var.reset(token)

    async def _serve(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            # Logged with the request id; the client sees neither the trace nor the SQL.
            logger.exception("unhandled error (%s %s)", scope["method"], scope["path"])
            if started:
                raise
            response = error_response(
                request_id, 500, "INTERNAL_ERROR", "An unexpected error occurred."
            )
            await response(scope, receive, send)

    @staticmethod
    def _log_access(scope: Scope, status: int, seconds: float) -> None:
        if not access_logger.isEnabledFor(logging.INFO):
            return
        query = scope.get("query_string", b"").decode("latin-1")
        client = scope.get("client")
        access_logger.info(
            "%s %s %s",
            scope["method"],
            scope["path"],
            status,
            extra={
                "http": {
                    "method": scope["method"],
                    "path": scope["path"],
                    # Query strings can carry secrets (?token=...): redacted like messages.
                    "query": redact(query),
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "client": client[0] if client else None,
                }
            },
        )


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


class StrictCORSMiddleware(CORSMiddleware):
    """CORS for an explicit list of origins; a refused preflight gets the error envelope.

    Settings refuse ``*``: the list names every origin, so credentials can never be
    offered to any site. Simple requests from an unknown origin get no
    ``Access-Control-Allow-Origin`` header, so browsers keep the response from the page.
    """

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        return error_response(
            request_id_var.get(),
            403,
            "CORS_ORIGIN_DENIED",
            "This origin, method or header is not allowed by the CORS policy.",
        )
