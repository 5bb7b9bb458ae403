"""The busiest routes, served in front of FastAPI.

GET by id, the list and POST create of each entity are plain Starlette endpoints
(:func:`app.api.deps.add_plain_route`). They are on the router like every route, and
the app (:class:`app.main.Service`) also serves them straight away: a GET or HEAD whose
path is ``<its prefix>/<a UUID>``, a request to an exact path, behind the app's own
middleware only (the proxy headers, :class:`app.core.middleware.RequestContextMiddleware`).
FastAPI's own layers (error, telemetry and body-limit middleware, the exception
middleware, the router; each a call and a wrapped ``send``) were about a fifth of such a
request's CPU. What runs is what the router would run: the same endpoint, behind the
app's own exception handlers, with the same ``endpoint`` and ``path_params`` in the
scope. Any other path, a request with an ``Origin`` header (CORS answers those) and an
app served under a root path go through FastAPI.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

__all__ = ["Endpoint", "PlainRoutes", "declare"]

Endpoint = Callable[[Request], Awaitable[Response]]

_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\Z")
_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}\Z")
_READS = frozenset({"GET", "HEAD"})
Key = tuple[str, str]  # (method, exact path)

# The plain endpoints of each router, by the router's id (routers live as long as the
# process): (method, path on that router, endpoint).
_DECLARED: dict[int, list[tuple[str, str, Endpoint]]] = {}


def declare(router: object, path: str, endpoint: Endpoint, method: str = "GET") -> None:
    """Record that ``router`` serves ``method`` ``path`` with the plain ``endpoint``."""
    _DECLARED.setdefault(id(router), []).append((method, path, endpoint))


class PlainRoutes:
    """Plain endpoints, ready to serve: by their exact path (``GET /api/v1/posts``,
    ``POST /api/v1/posts``), or a GET by ``<prefix>/<a UUID>``.

    :meth:`find` tells whether a request is theirs; the object itself is the ASGI app
    that then serves it.
    """

    def __init__(self) -> None:
        self._exact: dict[Key, Endpoint] = {}
        # A GET by id, by ``<prefix>/``: its parameter's name and its endpoint. Apart
        # from the exact paths, so that ``<prefix>/`` itself (a collection with a
        # trailing slash) is never taken for an item with an empty id.
        self._items: dict[str, tuple[str, Endpoint]] = {}

    def include(self, router: object, prefix: str) -> None:
        """Serve the plain endpoints declared on ``router``, mounted under ``prefix``."""
        for method, path, endpoint in _DECLARED.get(id(router), ()):
            self.add(prefix + path, endpoint, method)

    def add(self, path: str, endpoint: Endpoint, method: str = "GET") -> None:
        """Serve ``method`` ``path`` with ``endpoint``: a fixed path, or for GET also
        ``<fixed prefix>/{name}`` (a UUID)."""
        if "{" not in path:
            self._exact[(method, path)] = endpoint
            return
        if method != "GET":
            raise ValueError(f"a plain {method} route has a fixed path, not {path!r}")
        prefix, _, last = path.rpartition("/")
        parameter = _PARAMETER.match(last)
        if parameter is None or "{" in prefix:
            raise ValueError(f"a plain route is a fixed prefix and one parameter, not {path!r}")
        self._items[prefix + "/"] = (parameter.group(1), endpoint)

    def find(self, scope: Scope) -> Endpoint | None:
        """The endpoint serving this request, its scope filled as the router would;
        ``None`` for a request the router must route."""
        if scope.get("root_path"):
            return None
        method, path = scope["method"], scope["path"]
        endpoint = self._exact.get(("GET" if method in _READS else method, path))
        params: dict[str, str] = {}
        if endpoint is None:
            if method not in _READS:
                return None
            prefix, _, last = path.rpartition("/")
            item = self._items.get(prefix + "/")
            if item is None or _UUID.match(last) is None:
                return None
            name, endpoint = item
            params = {name: last}
        for header, _ in scope["headers"]:
            if header == b"origin":  # CORS answers those, on the router's side
                return None
        scope["endpoint"] = endpoint
        scope["path_params"] = params
        scope.setdefault("router", scope["app"].router)
        return endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the endpoint :meth:`find` put in ``scope``, behind the app's exception
        handlers (all but the last resort's, as FastAPI's exception middleware does; a
        handler that is a plain function runs on the event loop)."""
        request = Request(scope, receive, send)
        try:
            response = await scope["endpoint"](request)
        except Exception as exc:
            handler = _handler(scope["app"].exception_handlers, exc)
            if handler is None:
                raise
            response = handler(request, exc)
            if inspect.isawaitable(response):
                response = await response
        await response(scope, receive, send)


def _handler(handlers: dict[Any, Any], exc: Exception) -> Any:
    """The handler Starlette would pick for ``exc``: by status code for an HTTP error,
    else by the nearest class."""
    if isinstance(exc, HTTPException) and exc.status_code != 500 and exc.status_code in handlers:
        return handlers[exc.status_code]
    for cls in type(exc).__mro__:
        if cls is Exception:  # the last resort is the request context's
            return None
        if cls in handlers:
            return handlers[cls]
    return None
