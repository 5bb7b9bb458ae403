"""GET by id served without the router answers exactly as the router does.

app.core.plain serves the plain GET endpoints straight from the request-context
middleware. A request with an Origin header still goes through the router (CORS answers
those), so the two paths can be compared request for request.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Scope

from app.core.plain import PlainRoutes
from app.repositories.base import Row
from tests import factories
from tests.factories import Account

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
Create = Callable[..., Awaitable[Row]]
UNKNOWN = uuid.UUID("00000000-0000-4000-8000-ffffffffffff")
ELSEWHERE = {"Origin": "https://elsewhere.example"}
# Each entity: its collection, the factory of its rows and a role that may read them.
READS: dict[str, tuple[str, Create, str]] = {
    "post": ("/api/v1/posts", factories.create_post, "reader"),
    "comment": ("/api/v1/comments", factories.create_comment, "reader"),
    "tag": ("/api/v1/tags", factories.create_tag, "reader"),
    "bookmark": ("/api/v1/bookmarks", factories.create_bookmark, "reader"),
}


def answer(response: httpx.Response) -> tuple[int, str | None, Any]:
    """What a client reads of a response, less what differs from request to request."""
    body = response.json()
    error = body.get("error")
    if error is not None:
        assert error.pop("requestId") == response.headers["X-Request-ID"]
        error.pop("timestamp")
    return response.status_code, response.headers.get("ETag"), body


@pytest.fixture
def served(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each request without an Origin header: was it served without the router?"""
    found: list[bool] = []
    plain: PlainRoutes = app.state.plain_routes
    find = plain.find

    def spy(scope: Scope) -> ASGIApp | None:
        inner = find(scope)
        found.append(inner is not None)
        return inner

    monkeypatch.setattr(plain, "find", spy)
    return found


@pytest.mark.parametrize("name", sorted(READS))
async def test_a_read_by_id_answers_as_the_router_does(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    make_user: MakeUser,
    served: list[bool],
    name: str,
) -> None:
    collection, create, role = READS[name]
    caller = await make_user(role)
    row = await create(db, caller)
    statuses = []
    for path, headers in (
        (f"{collection}/{row['id']}", caller.headers),
        (f"{collection}/{UNKNOWN}", caller.headers),
        (f"{collection}/{row['id']}", {"Authorization": "Bearer not-a-token"}),
    ):
        direct = await client.get(path, headers=headers)
        routed = await client.get(path, headers=headers | ELSEWHERE)
        assert answer(direct) == answer(routed)
        statuses.append(direct.status_code)
    assert statuses == [200, 404, 401]
    assert served == [True, True, True]
    response = await client.get(f"{collection}/not-a-uuid", headers=caller.headers)
    assert response.status_code == 422
    assert served[-1] is False


async def test_only_a_get_or_head_of_a_plain_path_is_served_directly(app: FastAPI) -> None:
    async def endpoint(_request: Request) -> Response:
        return Response()

    plain = PlainRoutes()
    plain.add("/api/items/{id}", endpoint)
    item = f"/api/items/{UNKNOWN}"

    def scope(method: str, path: str, root_path: str = "") -> Scope:
        return {"type": "http", "method": method, "path": path, "root_path": root_path, "app": app}

    for method in ("GET", "HEAD"):
        found = scope(method, item)
        assert plain.find(found) is not None
        assert found["endpoint"] is endpoint
        assert found["path_params"] == {"id": str(UNKNOWN)}
    for refused in (
        scope("POST", item),
        scope("GET", item, root_path="/behind"),
        scope("GET", "/api/items/not-a-uuid"),
        scope("GET", f"/api/other/{UNKNOWN}"),
        scope("GET", f"/api/items/{UNKNOWN}/more"),
    ):
        assert plain.find(refused) is None
    for path in ("/api/items", "/api/{kind}/{id}", "/api/items/{id}/more"):
        with pytest.raises(ValueError, match="a fixed prefix and one parameter"):
            plain.add(path, endpoint)
