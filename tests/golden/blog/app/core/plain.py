"""The busiest reads, served without FastAPI's router.

GET by id is a plain Starlette endpoint (:func:`app.api.deps.add_plain_route`). It is
on the router like every route, and :class:`app.core.middleware.RequestContextMiddleware`
also serves it straight away when a GET or HEAD path is ``<its prefix>/<a UUID>``:
matching the routes in order, FastAPI's exit stack and its scope bookkeeping were about
a seventh of such a request's CPU. What runs is what the router would run: the same
endpoint, behind the app's own exception handlers, with the same ``endpoint`` and
``path_params`` in the scope. Any other path, a request with an ``Origin`` header
(CORS answers those) and an app served under a root path go through the router.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import request_response
from starlette.types import ASGIApp, Scope

__all__ = ["PlainRoutes", "declare"]

Endpoint = Callable[[Request], Awaitable[Response]]

_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\Z")
_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}\Z")
_METHODS = frozenset({"GET", "HEAD"})

# The plain endpoints of each router, by the router's id (routers live as long as the
# process), with their paths on that router.
_DECLARED: dict[int, list[tuple[str, Endpoint]]] = {}


def declare(router: object, path: str, endpoint: Endpoint) -> None:
    """Record that ``router`` serves GET ``path`` with the plain ``endpoint``."""
    _DECLARED.setdefault(id(router), []).append((path, endpoint))


class PlainRoutes:
    """Plain GET endpoints by path prefix (``/api/v1/posts``), ready to serve."""

    def __init__(self) -> None:
        self._declared: dict[str, tuple[str, Endpoint]] = {}
        self._served: dict[str, tuple[str, Endpoint, ASGIApp]] | None = None

    def include(self, router: object, prefix: str) -> None:
        """Serve the plain endpoints declared on ``router``, mounted under ``prefix``."""
        for path, endpoint in _DECLARED.get(id(router), ()):
            self.add(prefix + path, endpoint)

    def add(self, path: str, endpoint: Endpoint) -> None:
        """Serve GET ``path`` (``<fixed prefix>/{name}``, a UUID) with ``endpoint``."""
        prefix, _, last = path.rpartition("/")
        parameter = _PARAMETER.match(last)
        if parameter is None or "{" in prefix:
            raise ValueError(f"a plain route is a fixed prefix and one parameter, not {path!r}")
        self._declared[prefix] = (parameter.group(1), endpoint)
        self._served = None

    def find(self, scope: Scope) -> ASGIApp | None:
        """The app serving this request, its scope filled as the router would; ``None``
        for a request the router must route."""
        if scope["method"] not in _METHODS or scope.get("root_path"):
            return None
        prefix, _, last = scope["path"].rpartition("/")
        served = self._served if self._served is not None else self._bind(scope["app"])
        found = served.get(prefix)
        if found is None or _UUID.match(last) is None:
            return None
        name, endpoint, app = found
        scope["endpoint"] = endpoint
        scope["path_params"] = {name: last}
        scope.setdefault("router", scope["app"].router)
        return app

    def _bind(self, app: Any) -> dict[str, tuple[str, Endpoint, ASGIApp]]:
        # The handlers the app gives its ExceptionMiddleware: all but the last resort's.
        handlers = {
            key: handler
            for key, handler in app.exception_handlers.items()
            if key not in (500, Exception)
        }
        self._served = {
            prefix: (
                name,
                endpoint,
                ExceptionMiddleware(request_response(endpoint), handlers, debug=app.debug),
            )
            for prefix, (name, endpoint) in self._declared.items()
        }
        return self._served
