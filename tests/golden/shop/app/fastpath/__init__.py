"""The fast path: the busiest operations served without FastAPI's dependency solving,
and prebuilt reads without SQLAlchemy's execution layer. Everything the service does by
hand that FastAPI or SQLAlchemy would do is in this package, and ``FAST_PATH=false``
turns all of it off: the app is then plain FastAPI and SQLAlchemy, and passes the same
tests (tests/test_every_route.py runs every operation both ways).

- this module: :func:`install`, the route that hands the busiest operations to
- ``endpoints``: their plain endpoints, and
- ``reads``: the reads that go straight to the database driver.

GET by id, the list and POST create of each entity are ordinary FastAPI routes
(app/api/routes/), and with ``FAST_PATH=false`` FastAPI serves them like every other
route. With ``FAST_PATH=true`` (the default) :func:`install` puts one more route first
among the router's routes, which answers those operations with the plain endpoints of
app/fastpath/endpoints.py: they do by hand what FastAPI's dependencies do for the route
(the rate limit, the connection, the caller and its rule, the path, query or body), in
the same order and with the same answers (tests/test_fast_path.py compares the two
request for request). Solving the dependencies was a quarter of a GET's CPU and a sixth
of a POST's.

It is a route like the others, so everything around the router runs for it as for any
route: the app's middleware (any the owner adds too), FastAPI's error, telemetry and
body-limit layers, the exception handlers. The router puts the operation's own route
in the scope (``route``, with its path template and name), the plain endpoint that
serves it (``endpoint``) and the path parameters.

It takes a request only when it is sure FastAPI would route it to one of its
operations and nothing would change what runs there: exactly the path and method of
one (an item is a GET of ``<prefix>/<a UUID>``), no root path, and no
``app.dependency_overrides`` (tests): with overrides, FastAPI serves every request, so
each override applies as FastAPI applies it. Anything else goes on to the next route.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.datastructures import URLPath
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

__all__ = ["Endpoint", "FastPath", "install"]

Endpoint = Callable[[Request], Awaitable[Response]]

_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\Z")
_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}\Z")
_NO_MATCH: tuple[Match, Scope] = (Match.NONE, {})


class FastPath(BaseRoute):
    """The operations it serves, each by its route and the plain endpoint standing in
    for the route's: by exact method and path (``GET /api/v1/posts``,
    ``POST /api/v1/posts``), or a GET by ``<prefix>/<a UUID>``."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._exact: dict[tuple[str, str], tuple[APIRoute, Endpoint]] = {}
        # A GET by id, by ``<prefix>/``: its parameter's name, route and endpoint. Apart
        # from the exact paths, so that ``<prefix>/`` itself (a collection with a
        # trailing slash) is never taken for an item with an empty id.
        self._items: dict[str, tuple[str, APIRoute, Endpoint]] = {}

    def add(self, route: APIRoute, path: str, endpoint: Endpoint) -> None:
        """Serve ``route`` at ``path``, its template in the app (its router's prefix
        included), with ``endpoint``: one method, and a fixed path or for GET
        ``<fixed prefix>/{name}`` (taken for a UUID only)."""
        methods = sorted(route.methods or ())
        if len(methods) != 1:
            raise ValueError(f"a fast route has one method, not {methods}")
        method = methods[0]
        if "{" not in path:
            self._exact[(method, path)] = (route, endpoint)
            return
        if method != "GET":
            raise ValueError(f"a fast {method} route has a fixed path, not {path!r}")
        prefix, _, last = path.rpartition("/")
        parameter = _PARAMETER.match(last)
        if parameter is None or "{" in prefix:
            raise ValueError(f"a fast route is a fixed prefix and one parameter, not {path!r}")
        self._items[prefix + "/"] = (parameter.group(1), route, endpoint)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope.get("root_path") or self._app.dependency_overrides:
            return _NO_MATCH
        method, path = scope["method"], scope["path"]
        found = self._exact.get((method, path))
        if found is not None:
            route, endpoint = found
            return Match.FULL, {"route": route, "endpoint": endpoint, "path_params": {}}
        if method != "GET":
            return _NO_MATCH
        prefix, _, last = path.rpartition("/")
        item = self._items.get(prefix + "/")
        if item is None or _UUID.match(last) is None:
            return _NO_MATCH
        name, route, endpoint = item
        return Match.FULL, {"route": route, "endpoint": endpoint, "path_params": {name: last}}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the endpoint :meth:`matches` put in ``scope``; what it raises goes to the
        app's exception handlers, as from any route."""
        response = await scope["endpoint"](Request(scope, receive, send))
        await response(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        # The operations' own routes, after this one, name their paths.
        raise NoMatchFound(name, path_params)


def install(app: FastAPI, endpoints: Mapping[Callable[..., Any], Endpoint]) -> FastPath:
    """Serve each route of ``app`` whose endpoint is a key of ``endpoints`` with the plain
    endpoint it maps to, ahead of the app's other routes; the routes stay as they are
    (the OpenAPI document, ``url_for``, and FastAPI whenever the fast path steps aside).

    Call it once every route is in: each one's template is asked of the app itself
    (``url_path_for``), whatever the FastAPI version keeps of an included router.
    """
    fast = FastPath(app)
    served: set[Callable[..., Any]] = set()
    for route in _api_routes(app.routes):
        endpoint = endpoints.get(route.endpoint)
        if endpoint is None or route.endpoint in served:
            continue
        parameters = {name: "{" + name + "}" for name in route.param_convertors}
        template = str(app.url_path_for(route.name, **parameters))
        if not template.endswith(route.path):  # another route of the same name came first
            raise ValueError(f"the route {route.name!r} is not the app's first of that name")
        fast.add(route, template, endpoint)
        served.add(route.endpoint)
    missing = [getattr(f, "__name__", repr(f)) for f in endpoints if f not in served]
    if missing:
        raise ValueError(f"no route of the app has these endpoints: {', '.join(missing)}")
    app.router.routes.insert(0, fast)
    return fast


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """The FastAPI routes among ``routes``, in order, those of included routers too
    (kept apart as routers of their own by some FastAPI versions)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        else:
            inner = getattr(route, "original_router", None)
            yield from _api_routes(getattr(inner, "routes", ()))
