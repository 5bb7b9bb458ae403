"""The busiest routes, served without FastAPI's router.

GET by id and POST create are plain Starlette endpoints
(:func:`app.api.deps.add_plain_route`). They are on the router like every route, and
:class:`app.core.middleware.RequestContextMiddleware` also serves them straight away: a
GET or HEAD whose path is ``<its prefix>/<a UUID>``, a POST to its exact path. For GET,
matching the routes in order, FastAPI's exit stack and its scope bookkeeping were about
a seventh of the request's CPU. What runs is what the router would run: the same
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
_READS = frozenset({"GET", "HEAD"})
Key = tuple[str, str]  # ("GET", prefix) or (method, exact path)

# The plain endpoints of each router, by the router's id (routers live as long as the
# process): (method, path on that router, endpoint).
_DECLARED: dict[int, list[tuple[str, str, Endpoint]]] = {}


def declare(router: object, path: str, endpoint: Endpoint, method: str = "GET") -> None:
    """Record that ``router`` serves ``method`` ``path`` with the plain ``endpoint``."""
    _DECLARED.setdefault(id(router), []).append((method, path, endpoint))


class PlainRoutes:
    """Plain endpoints, ready to serve: GET by ``<prefix>/<a UUID>``, other methods by
    their exact path (``POST /api/v1/posts``)."""

    def __init__(self) -> None:
        self._declared: dict[Key, tuple[str, Endpoint]] = {}
        self._served: dict[Key, tuple[str, Endpoint, ASGIApp]] | None = None

    def include(self, router: object, prefix: str) -> None:
        """Serve the plain endpoints declared on ``router``, mounted under ``prefix``."""
        for method, path, endpoint in _DECLARED.get(id(router), ()):
            self.add(prefix + path, endpoint, method)

    def add(self, path: str, endpoint: Endpoint, method: str = "GET") -> None:
        """Serve ``method`` ``path`` with ``endpoint``: for GET, ``<fixed prefix>/{name}``
        (a UUID); for any other method, a fixed path."""
        if method != "GET":
            if "{" in path:
                raise ValueError(f"a plain {method} route has a fixed path, not {path!r}")
            self._declared[(method, path)] = ("", endpoint)
        else:
            prefix, _, last = path.rpartition("/")
            parameter = _PARAMETER.match(last)
            if parameter is None or "{" in prefix:
                raise ValueError(f"a plain route is a fixed prefix and one parameter, not {path!r}")
            self._declared[("GET", prefix)] = (parameter.group(1), endpoint)
        self._served = None

    def find(self, scope: Scope) -> ASGIApp | None:
        """The app serving this request, its scope filled as the router would; ``None``
        for a request the router must route."""
        if scope.get("root_path"):
            return None
        served = self._served if self._served is not None else self._bind(scope["app"])
        method, path = scope["method"], scope["path"]
        if method in _READS:
            prefix, _, last = path.rpartition("/")
            found = served.get(("GET", prefix))
            if found is None or _UUID.match(last) is None:
                return None
            params = {found[0]: last}
        else:
            found = served.get((method, path))
            if found is None:
                return None
            params = {}
        _, endpoint, app = found
        scope["endpoint"] = endpoint
        scope["path_params"] = params
        scope.setdefault("router", scope["app"].router)
        return app

    def _bind(self, app: Any) -> dict[Key, tuple[str, Endpoint, ASGIApp]]:
        # The handlers the app gives its ExceptionMiddleware: all but the last resort's.
        handlers = {
            key: handler
            for key, handler in app.exception_handlers.items()
            if key not in (500, Exception)
        }
        self._served = {
            key: (
                name,
                endpoint,
                ExceptionMiddleware(request_response(endpoint), handlers, debug=app.debug),
            )
            for key, (name, endpoint) in self._declared.items()
        }
        return self._served
