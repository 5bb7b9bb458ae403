"""The plain endpoints answer exactly as FastAPI's would.

The app serves its plain GET endpoints in front of FastAPI (app.main.Service); a request
with an Origin header still goes through FastAPI and its router (CORS answers those), so
the two paths can be compared request for request. The plain create
endpoints read and validate their bodies by hand (app.api.bodies), once the caller may
create: their errors are compared with those of a FastAPI route taking the same model.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Header, Query
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from app.core.errors import register_error_handlers
from app.core.idempotency import KEY_PATTERN
from app.core.plain import Endpoint, PlainRoutes
from app.repositories.base import Row
from app.schemas import category as category_schemas
from app.schemas import item as item_schemas
from app.schemas import location as location_schemas
from app.schemas import movement as movement_schemas
from app.schemas import stock as stock_schemas
from tests import factories
from tests.factories import Account
from tests.helpers import MAX_PAGE_SIZE

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
Create = Callable[..., Awaitable[Row]]
UNKNOWN = uuid.UUID("00000000-0000-4000-8000-ffffffffffff")
ELSEWHERE = {"Origin": "https://elsewhere.example"}
# Each entity: its collection, the factory of its rows and a role that may read them.
READS: dict[str, tuple[str, Create, str]] = {
    "category": ("/api/v1/categories", factories.create_category, "viewer"),
    "item": ("/api/v1/items", factories.create_item, "viewer"),
    "location": ("/api/v1/locations", factories.create_location, "viewer"),
    "stock": ("/api/v1/stock_levels", factories.create_stock, "viewer"),
    "movement": ("/api/v1/movements", factories.create_movement, "viewer"),
}
# Each entity with a plain create endpoint: its collection, its body's model and a role
# that may create.
CREATES: dict[str, tuple[str, type[BaseModel], str]] = {
    "category": ("/api/v1/categories", category_schemas.CategoryCreate, "manager"),
    "item": ("/api/v1/items", item_schemas.ItemCreate, "manager"),
    "location": ("/api/v1/locations", location_schemas.LocationCreate, "manager"),
    "stock": ("/api/v1/stock_levels", stock_schemas.StockCreate, "manager"),
    "movement": ("/api/v1/movements", movement_schemas.MovementCreate, "clerk"),
}
# The entities whose plain create takes anonymous callers.
ANONYMOUS_CREATES: tuple[str, ...] = ()
# Each entity with a plain list endpoint: its collection, its query's model and a role
# that may list.
LISTS: dict[str, tuple[str, type[BaseModel], str]] = {
    "category": ("/api/v1/categories", category_schemas.CategoryQuery, "viewer"),
    "item": ("/api/v1/items", item_schemas.ItemQuery, "viewer"),
    "location": ("/api/v1/locations", location_schemas.LocationQuery, "viewer"),
    "stock": ("/api/v1/stock_levels", stock_schemas.StockQuery, "viewer"),
    "movement": ("/api/v1/movements", movement_schemas.MovementQuery, "viewer"),
}
# Query strings FastAPI refuses while validating a query model, or reads as it must
# (a repeated name: the last value; a name the model does not know: refused).
BAD_QUERIES = (
    "page=0",
    "limit=abc",
    "limit=",
    f"limit=1&limit={MAX_PAGE_SIZE + 1}",
    "sort=bogus",
    "unknown=1",
    "unknown=1&unknown=2",
    "page=x&unknown=1&limit=0",
)
# Bodies FastAPI refuses before or while validating them: (content type, bytes, the
# status). One that is not JSON by its content type is 415, whatever its bytes.
BAD_BODIES: tuple[tuple[str | None, bytes, int], ...] = (
    ("application/json", b"{not json", 422),
    ("application/json", b"", 422),
    ("application/json", b"[1, 2]", 422),
    ("application/json", b'{"unknown": 1}', 422),
    ("application/json", b"\xff\xfe", 422),
    ("application/vnd.api+json", b"{}", 422),
    ("text/plain", b"{}", 415),
    ("application/x-www-form-urlencoded", b"title=x", 415),
    ("multipart/form-data; boundary=x", b"--x--", 415),
    (None, b"{}", 415),
)


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
    """For each request without an Origin header: was it served without the router?
    (One with an Origin header never is.)"""
    found: list[bool] = []
    plain: PlainRoutes = app.state.plain_routes
    find = plain.find

    def spy(scope: Scope) -> Endpoint | None:
        endpoint = find(scope)
        if any(name == b"origin" for name, _ in scope["headers"]):
            assert endpoint is None, scope["path"]
        else:
            found.append(endpoint is not None)
        return endpoint

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


async def test_only_the_methods_and_paths_of_plain_routes_are_served_directly(
    app: FastAPI,
) -> None:
    async def endpoint(_request: Request) -> Response:
        return Response()

    async def create(_request: Request) -> Response:
        return Response(status_code=201)

    async def listing(_request: Request) -> Response:
        return Response()

    plain = PlainRoutes()
    plain.add("/api/items/{id}", endpoint)
    plain.add("/api/items", create, "POST")
    plain.add("/api/things", listing)
    item = f"/api/items/{UNKNOWN}"

    def scope(method: str, path: str, root_path: str = "", origin: bool = False) -> Scope:
        headers = [(b"origin", b"https://elsewhere.example")] if origin else []
        return {
            "type": "http",
            "method": method,
            "path": path,
            "root_path": root_path,
            "headers": [(b"host", b"test"), *headers],
            "app": app,
        }

    for method in ("GET", "HEAD"):
        found = scope(method, item)
        assert plain.find(found) is endpoint
        assert found["endpoint"] is endpoint
        assert found["path_params"] == {"id": str(UNKNOWN)}
    found = scope("POST", "/api/items")
    assert plain.find(found) is create
    assert (found["endpoint"], found["path_params"]) == (create, {})
    for method in ("GET", "HEAD"):
        found = scope(method, "/api/things")
        assert plain.find(found) is listing
        assert (found["endpoint"], found["path_params"]) == (listing, {})
    for refused in (
        scope("POST", item),
        scope("PUT", "/api/items"),
        scope("GET", "/api/items"),
        scope("POST", "/api/items/"),
        scope("GET", "/api/items/"),  # the items' prefix is no item: a trailing slash
        scope("HEAD", "/api/items/"),
        scope("GET", f"/api/items/{UNKNOWN}/"),
        scope("GET", item, root_path="/behind"),
        scope("GET", item, origin=True),
        scope("POST", "/api/items", origin=True),
        scope("POST", "/api/items", root_path="/behind"),
        scope("GET", "/api/items/not-a-uuid"),
        scope("GET", f"/api/other/{UNKNOWN}"),
        scope("GET", f"/api/items/{UNKNOWN}/more"),
        scope("POST", "/api/things"),
        scope("GET", "/api/things/"),
        scope("GET", f"/api/things/{UNKNOWN}"),
        scope("GET", "/api/things", origin=True),
    ):
        assert plain.find(refused) is None, refused
    for path in ("/api/{kind}/{id}", "/api/items/{id}/more", "/api/items/{id}x"):
        with pytest.raises(ValueError, match="a fixed prefix and one parameter"):
            plain.add(path, endpoint)
    with pytest.raises(ValueError, match="a plain POST route has a fixed path"):
        plain.add("/api/items/{id}", create, "POST")


def fastapi_twin(method: str, endpoint: Callable[..., Any]) -> httpx.AsyncClient:
    """A client of a FastAPI app serving ``endpoint`` at ``method /twin``, with this app's
    error handlers."""
    twin = FastAPI()
    register_error_handlers(twin)
    twin.add_api_route("/twin", endpoint, methods=[method])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=twin), base_url="http://twin")


def create_twin(model: type[BaseModel]) -> Callable[..., Any]:
    """A FastAPI endpoint taking ``model`` as its body and the Idempotency-Key header."""

    async def create(body: Any, key: Any = None) -> dict[str, str]:
        return {}

    create.__annotations__ = {
        "body": model,
        "key": Annotated[str | None, Header(alias="Idempotency-Key", pattern=KEY_PATTERN)],
        "return": dict[str, str],
    }
    return create


def details(response: httpx.Response) -> tuple[int, list[dict[str, str]]]:
    body = response.json()
    return response.status_code, body["error"]["details"] if "error" in body else []


@pytest.mark.parametrize("name", sorted(CREATES))
async def test_a_plain_create_refuses_bodies_as_fastapi_does(
    client: httpx.AsyncClient, make_user: MakeUser, served: list[bool], name: str
) -> None:
    collection, model, role = CREATES[name]
    caller = await make_user(role)
    async with fastapi_twin("POST", create_twin(model)) as twin:
        for content_type, content, status in BAD_BODIES:
            headers = dict(caller.headers)
            if content_type is not None:
                headers["Content-Type"] = content_type
            plain = await client.post(collection, content=content, headers=headers)
            expected = await twin.post("/twin", content=content, headers=headers)
            if expected.is_success:
                # A body FastAPI takes (no required field: {} is a whole create) is
                # taken here too, and creates.
                assert plain.status_code == 201, (content_type, content, plain.text)
                continue
            assert details(plain) == details(expected), (content_type, content)
            assert plain.status_code == status, (content_type, content)
        headers = caller.headers | {
            "Idempotency-Key": "has spaces",
            "Content-Type": "application/json",
        }
        plain = await client.post(collection, content=b"[]", headers=headers)
        expected = await twin.post("/twin", content=b"[]", headers=headers)
        assert details(plain) == details(expected)
        assert len(details(plain)[1]) == 2  # the header's error and the body's, together
    assert served == [True] * (len(BAD_BODIES) + 1)  # each without the router


@pytest.mark.parametrize("name", sorted(CREATES))
async def test_a_plain_create_checks_the_caller_before_the_body(
    client: httpx.AsyncClient, name: str
) -> None:
    collection = CREATES[name][0]
    # Neither JSON nor valid: a caller who may not create hears only that (401), never
    # what the body should have been.
    for headers, content in (
        ({"Content-Type": "application/json"}, b"{"),
        ({"Content-Type": "application/json"}, b'{"unknown": 1}'),
        ({"Content-Type": "text/plain"}, b"{}"),
    ):
        response = await client.post(collection, content=content, headers=headers)
        if name in ANONYMOUS_CREATES:
            assert response.status_code in (415, 422), content
        else:
            assert details(response) == (401, []), content


def query_twin(model: type[BaseModel]) -> Callable[..., Any]:
    """A FastAPI endpoint taking ``model`` as its query."""

    async def listing(query: Any) -> dict[str, str]:
        return {}

    listing.__annotations__ = {"query": Annotated[model, Query()], "return": dict[str, str]}
    return listing


@pytest.mark.parametrize("name", sorted(LISTS))
async def test_a_plain_list_reads_its_query_as_fastapi_does(
    client: httpx.AsyncClient, make_user: MakeUser, served: list[bool], name: str
) -> None:
    collection, model, role = LISTS[name]
    caller = await make_user(role)
    async with fastapi_twin("GET", query_twin(model)) as twin:
        for query in BAD_QUERIES:
            plain = await client.get(f"{collection}?{query}", headers=caller.headers)
            expected = await twin.get(f"/twin?{query}")
            assert details(plain) == details(expected), query
            assert plain.status_code == 422, query
    for query in ("", "?limit=1", f"?page=2&limit={MAX_PAGE_SIZE + 1}&limit={MAX_PAGE_SIZE}"):
        direct = await client.get(collection + query, headers=caller.headers)
        routed = await client.get(collection + query, headers=caller.headers | ELSEWHERE)
        assert answer(direct) == answer(routed)
        assert direct.status_code == 200, query
    assert served == [True] * (len(BAD_QUERIES) + 3)  # each without the router
