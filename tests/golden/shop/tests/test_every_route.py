"""Every designed operation runs inside the middleware an owner adds, and finds its caller
through the caller dependency, whether the fast path serves it or FastAPI does.

For each setting of ``FAST_PATH`` an app is built with a middleware added by the test, as
an owner adds OpenTelemetry's or Sentry's, and one request goes to each operation of the
designed document (app/openapi.json). The middleware notes, for each request, the route
that answered (its template, as the metrics name it) and the endpoint that served it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.deps import get_current_user_briefly, get_optional_user
from app.api.routes.docs import OPENAPI
from app.core.metrics import route_of
from app.fastpath.endpoints import ENDPOINTS
from app.main import create_app
from app.schemas.auth import AuthUser
from tests.apps import serving
from tests.conftest import make_settings

pytestmark = pytest.mark.anyio

Operation = tuple[str, str]  # (method, path template)
DESIGN: dict[str, Any] = json.loads(OPENAPI)
# Every designed operation, by its operationId.
OPERATIONS: dict[str, Operation] = {
    spec["operationId"]: (method.upper(), path)
    for path, item in DESIGN["paths"].items()
    for method, spec in item.items()
}
# The operations that act for no caller: the probes, and registering, logging in and
# refreshing tokens (the platform's own, whatever the spec).
NO_CALLER = {"health_live", "health_ready", "register", "login", "refresh_tokens"}
SOME_ID = uuid.UUID("00000000-0000-4000-8000-00000000feed")
STAND_IN_STATUS = 418


@dataclass
class Seen:
    """What the middleware saw of one request."""

    operation: Operation
    endpoint: Callable[..., Any] | None
    route_endpoint: Callable[..., Any] | None
    marked: bool = False


@dataclass
class Observed:
    app: FastAPI
    client: httpx.AsyncClient
    seen: list[Seen] = field(default_factory=list)


class Observer:
    """An owner's middleware: it notes each request's route and endpoint once the app has
    answered, and marks the response."""

    def __init__(self, app: ASGIApp, seen: list[Seen]) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        marked = False

        async def mark(message: Message) -> None:
            nonlocal marked
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (b"x-observed", b"yes")]
                marked = True
            await send(message)

        try:
            await self.app(scope, receive, mark)
        finally:
            route = scope.get("route")
            operation = (scope["method"], route_of(scope))
            endpoint = getattr(route, "endpoint", None)
            self.seen.append(Seen(operation, scope.get("endpoint"), endpoint, marked))


@pytest.fixture(scope="module", params=[True, False], ids=["fast_path", "no_fast_path"])
async def observed(request: pytest.FixtureRequest, app: FastAPI) -> AsyncIterator[Observed]:
    """An app with the fast path on or off (FAST_PATH), and the owner's middleware."""
    seen: list[Seen] = []
    application = create_app(make_settings(fast_path=request.param))
    application.add_middleware(Observer, seen=seen)
    async with serving(application) as client:
        yield Observed(application, client, seen)


async def call(client: httpx.AsyncClient, operation: Operation) -> httpx.Response:
    """One request to ``operation``: an unknown id for every path parameter, an empty
    JSON object as the body of a write."""
    method, template = operation
    path = template
    while "{" in path:
        start = path.index("{")
        path = path[:start] + str(SOME_ID) + path[path.index("}", start) + 1 :]
    body: dict[str, object] | None = {} if method in ("POST", "PUT", "PATCH") else None
    return await client.request(method, path, json=body)


def test_the_design_has_operations() -> None:
    assert OPERATIONS
    assert set(OPERATIONS) >= NO_CALLER
    assert {function.__name__ for function in ENDPOINTS} <= set(OPERATIONS)


async def test_a_middleware_the_owner_adds_sees_every_operation(observed: Observed) -> None:
    observed.seen.clear()
    for name, operation in OPERATIONS.items():
        response = await call(observed.client, operation)
        assert response.status_code < 500, (name, response.text)
        assert response.headers.get("x-observed") == "yes", name
    assert [seen.operation for seen in observed.seen] == list(OPERATIONS.values())
    assert all(seen.marked for seen in observed.seen)
    # Who served each: the fast path's endpoint for its operations when it is on,
    # FastAPI's route otherwise.
    fast = observed.app.state.fast_path is not None
    for seen in observed.seen:
        standing_in = ENDPOINTS.get(seen.route_endpoint) if fast and seen.route_endpoint else None
        assert seen.endpoint is (standing_in or seen.route_endpoint), seen.operation
    served_fast = {seen.operation for seen in observed.seen if seen.endpoint in ENDPOINTS.values()}
    expected = {OPERATIONS[function.__name__] for function in ENDPOINTS} if fast else set()
    assert served_fast == expected


async def test_an_override_of_the_caller_is_honoured_by_every_operation(
    observed: Observed,
) -> None:
    asked: list[Operation] = []

    async def stand_in(request: Request) -> AuthUser:
        asked.append((request.method, route_of(request.scope)))
        raise HTTPException(status_code=STAND_IN_STATUS, detail="The stand-in caller.")

    overrides = observed.app.dependency_overrides
    overrides.update({get_optional_user: stand_in, get_current_user_briefly: stand_in})
    try:
        statuses = {
            name: (await call(observed.client, operation)).status_code
            for name, operation in OPERATIONS.items()
        }
    finally:
        overrides.clear()
    with_caller = {name for name in OPERATIONS if name not in NO_CALLER}
    assert {name for name, status in statuses.items() if status == STAND_IN_STATUS} == with_caller
    assert sorted(set(asked)) == sorted(OPERATIONS[name] for name in with_caller)
    # Without overrides, the fast path (when on) serves its operations again.
    observed.seen.clear()
    for function in ENDPOINTS:
        await call(observed.client, OPERATIONS[function.__name__])
    fast = observed.app.state.fast_path is not None
    assert all((seen.endpoint in ENDPOINTS.values()) is fast for seen in observed.seen)
