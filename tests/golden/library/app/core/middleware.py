"""ASGI middleware: the request context (every request's one layer) and CORS."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.cache import current_cache
from app.core.context import request_id_var
from app.core.errors import DeadlineExceeded, ServiceUnavailable, error_response
from app.core.logging import log_access
from app.core.metrics import KNOWN_METHODS, Metrics, route_of
from app.core.outages import RepeatedFailures, unavailable
from app.core.ratelimit import Usage
from app.core.statements import counting, stop_counting

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("app.access")
# Shared by every app of the process: an outage fails every request alike, and is
# logged once per interval with a count.
failures = RepeatedFailures(logger)

# An incoming X-Request-ID is echoed only when it is short and plain, so it cannot
# smuggle anything into logs or headers.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Raw ASGI headers (lower-case names), added unless the route set its own.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
# Sent only over https (directly or behind a proxy that says so): browsers ignore it on
# plain http, and pinning a host that has no certificate would lock its users out.
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")


def request_id_of(scope: Scope) -> str:
    """The id given to this request by :class:`RequestContextMiddleware`."""
    return str(scope.get("state", {}).get("request_id", ""))


class PayloadTooLarge(HTTPException):
    """Raised while reading a body that grew past the limit without announcing its size."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="The request body is too large.")


class Deadlines:
    """When each request in flight must have answered, checked a few times a second.

    One timer for every request: a timer each (``loop.call_later``, or
    ``asyncio.timeout()``) costs 6 to 9 us of CPU per request, more than the rest of
    this middleware. Every deadline lies the same ``seconds`` after its request came,
    so requests expire in the order they came: a check stops at the first one still in
    time. A request is abandoned at most ``seconds / CHECKS`` late.
    """

    CHECKS = 10  # per deadline's length

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._due: dict[Callable[[], None], float] = {}  # abandon -> when, in arrival order
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None

    def add(self, abandon: Callable[[], None]) -> None:
        """Call ``abandon`` when ``seconds`` have passed, unless discarded before."""
        loop = asyncio.get_running_loop()
        self._due[abandon] = loop.time() + self.seconds
        if self._timer is None or self._loop is not loop:
            self._loop = loop
            self._timer = loop.call_later(self.seconds / self.CHECKS, self._check)

    def discard(self, abandon: Callable[[], None]) -> None:
        self._due.pop(abandon, None)

    def _check(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a timer left on a loop no longer used (tests)
            return
        now = loop.time()
        while self._due:
            abandon, due = next(iter(self._due.items()))
            if due > now:
                break
            del self._due[abandon]
            abandon()
        self._timer = (
            loop.call_later(self.seconds / self.CHECKS, self._check) if self._due else None
        )


class RequestContextMiddleware:
    """What every HTTP request goes through, in one layer (each layer costs a call and a
    wrapped ``send`` per request):

    * an id (``X-Request-ID``, and in every log line written while serving it);
    * the security headers, and the ``RateLimit-*`` headers of the limit it was counted
      against (the limits are route dependencies; they leave their usage in the state);
    * the app's cache (``app.state.cache``) as the current one (:func:`app.core.cache.current`),
      and whatever else ``app.state.request_context`` makes current (the change events);
    * the request metrics (count, duration, in flight, SQL statements sent) and the
      access log;
    * the body size limit: 413 PAYLOAD_TOO_LARGE for a declared or streamed body over
      ``max_body_bytes``;
    * a deadline (``deadline`` seconds, ``REQUEST_TIMEOUT``): a request still running
      then is abandoned (cancelled) and answered ``504 TIMEOUT`` at once, without
      waiting for what it was waiting for;
    * a last resort in the envelope: ``503 SERVICE_UNAVAILABLE`` with ``Retry-After``
      when the database cannot serve (:func:`app.core.outages.unavailable`), else
      ``500``; it is the outermost middleware, so even errors raised by other
      middleware come back with an ``X-Request-ID``. Repeats of a failure are counted,
      not logged one by one (:class:`app.core.outages.RepeatedFailures`).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        max_body_bytes: int,
        access_log: bool = True,
        deadline: float | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.access_log = access_log
        self.deadline = deadline
        self.deadlines = Deadlines(deadline) if deadline else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = b""
        declared: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value
            elif name == b"content-length":
                declared = value
        text = incoming.decode("latin-1")
        request_id = text if incoming and _SANE_REQUEST_ID.match(text) else os.urandom(16).hex()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        added = [(b"x-request-id", request_id.encode()), *SECURITY_HEADERS]
        if scope.get("scheme") == "https":
            added.append(HSTS)
        status = 500  # unless a response starts: an error escaped every handler
        started = False
        abandoned: asyncio.Task[None] | None = None  # the deadline's answer, once sent

        async def send_with_headers(message: Message) -> None:
            if abandoned is None:  # once abandoned, what the request still sends is dropped
                await forward(message)

        async def forward(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status = message["status"]
                started = True
                headers = [
                    header for header in message.get("headers", ()) if header[0] != b"x-request-id"
                ]
                present = {header[0] for header in headers}
                headers.extend(header for header in added if header[0] not in present)
                usage = state.get("rate_limit")
                if isinstance(usage, Usage):
                    headers.extend(usage.headers())
                message["headers"] = headers
            await send(message)

        task = asyncio.current_task()

        def abandon() -> None:
            # The deadline passed: answer now, from a task of its own, and cancel the
            # request (its cleanup may still wait on a frozen database; the client won't).
            nonlocal abandoned
            if started or task is None:
                return
            error = DeadlineExceeded()
            failures.failed(f"request abandoned after {self.deadline or 0:g} s", error)
            response = error_response(
                request_id, error.status_code, error.code, error.message, headers=error.headers
            )
            abandoned = asyncio.get_running_loop().create_task(response(scope, receive, forward))
            task.cancel()

        token = request_id_var.set(request_id)
        app = scope.get("app")  # set by the application before any middleware runs
        # The app's cache as the current one (app.core.cache.use, without its wrapper).
        cache_token = current_cache.set(app.state.cache) if app is not None else None
        # What else the app makes current while it serves a request: pairs of a context
        # variable and its value (app.state.request_context; the change events' hub).
        context = getattr(app.state, "request_context", ()) if app is not None else ()
        context_tokens = [(variable, variable.set(value)) for variable, value in context]
        metrics = self.metrics
        metrics.in_flight += 1
        count, count_token = counting()
        began = time.perf_counter()
        deadlines = self.deadlines
        if deadlines is not None:
            deadlines.add(abandon)
        try:
            await self._serve(scope, receive, send_with_headers, declared, request_id)
        except asyncio.CancelledError:
            if abandoned is None:
                raise
        except Exception as exc:
            if deadlines is not None:
                deadlines.discard(abandon)  # the answer is on its way
            if abandoned is None:
                await self._last_resort(exc, scope, receive, send_with_headers, request_id, started)
        finally:
            if deadlines is not None:
                deadlines.discard(abandon)
            if abandoned is not None and task is not None:
                task.uncancel()
                await abandoned
            seconds = time.perf_counter() - began
            metrics.in_flight -= 1
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "OTHER"
            stop_counting(count_token)
            metrics.observe(method, route_of(scope), status, seconds, count.statements)
            if self.access_log:
                self._log_access(scope, status, seconds)
            if cache_token is not None:
                current_cache.reset(cache_token)
            for variable, context_token in reversed(context_tokens):
                variable.reset(context_token)
            request_id_var.reset(token)

    @staticmethod
    async def _last_resort(
        exc: Exception, scope: Scope, receive: Receive, send: Send, request_id: str, started: bool
    ) -> None:
        """Answer an error that escaped every handler: 503 for an outage, else 500. The
        log says what failed (the client sees neither the trace nor the SQL)."""
        if unavailable(exc):
            failures.failed("the database cannot serve", exc)
            error: ServiceUnavailable | None = ServiceUnavailable()
        else:
            where = f"{scope['method']} {route_of(scope)}"
            failures.failed(f"unhandled error ({where})", exc, traceback=True)
            error = None
        if started:
            raise exc
        if error is None:
            response = error_response(
                request_id, 500, "INTERNAL_ERROR", "An unexpected error occurred."
            )
        else:
            response = error_response(
                request_id, error.status_code, error.code, error.message, headers=error.headers
            )
        await response(scope, receive, send)

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, declared: bytes | None, request_id: str
    ) -> None:
        if declared is not None and declared.isdigit():
            if int(declared) > self.max_body_bytes:
                response = error_response(
                    request_id, 413, "PAYLOAD_TOO_LARGE", "The request body is too large."
                )
                await response(scope, receive, send)
                return
            # The server never passes on more than the declared length.
            await self.app(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            # Chunked bodies have no Content-Length: count as they arrive.
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                raise PayloadTooLarge
            return message

        await self.app(scope, counting_receive, send)

    @staticmethod
    def _log_access(scope: Scope, status: int, seconds: float) -> None:
        client = scope.get("client")
        log_access(
            access_logger,
            scope["method"],
            scope["path"],
            # Query strings can carry secrets (?token=...): redacted like messages.
            scope.get("query_string", b"").decode("latin-1"),
            status,
            seconds,
            client[0] if client else None,
        )


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
