"""The fast path (app.fastpath) answers exactly as FastAPI does.

An app built with ``FAST_PATH=true`` serves GET by id, the list and POST create of each
entity through the fast path; one built with ``FAST_PATH=false``, on the same database,
serves them through FastAPI. The same requests go to both and what a client reads of
the answers is compared; a spy on the fast path tells which requests it took.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope

from app import fastpath
from app.fastpath import FastPath
from app.main import create_app
from app.models import Base
from app.repositories.base import Row
from tests import factories
from tests.apps import serving
from tests.conftest import make_settings
from tests.factories import Account
from tests.helpers import MAX_PAGE_SIZE

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
Create = Callable[..., Awaitable[Row]]
UNKNOWN = uuid.UUID("00000000-0000-4000-8000-ffffffffffff")
# Each entity: its collection, the factory of its rows and a role that may read them.
READS: dict[str, tuple[str, Create, str]] = {
    "account": ("/api/v1/accounts", factories.create_account, "customer"),
    "agent": ("/api/v1/agents", factories.create_agent, "customer"),
    "label": ("/api/v1/labels", factories.create_label, "customer"),
    "ticket": ("/api/v1/tickets", factories.create_ticket, "customer"),
    "reply": ("/api/v1/replies", factories.create_reply, "customer"),
}
# Each entity with a create on the fast path: its collection and a role that may create.
CREATES: dict[str, tuple[str, str]] = {
    "account": ("/api/v1/accounts", "lead"),
    "agent": ("/api/v1/agents", "lead"),
    "label": ("/api/v1/labels", "lead"),
    "ticket": ("/api/v1/tickets", "customer"),
    "reply": ("/api/v1/replies", "customer"),
}
# The entities whose create takes anonymous callers.
# The table of each entity created on the fast path.
CREATED_TABLES: dict[str, str] = {
    "account": "accounts",
    "agent": "agents",
    "label": "labels",
    "ticket": "tickets",
    "reply": "replies",
}
ANONYMOUS_CREATES: tuple[str, ...] = ()
# Each entity with a list on the fast path: its collection, a role that may list, and
# whether it is paged by cursor.
LISTS: dict[str, tuple[str, str, bool]] = {
    "account": ("/api/v1/accounts", "customer", False),
    "agent": ("/api/v1/agents", "customer", False),
    "label": ("/api/v1/labels", "customer", False),
    "ticket": ("/api/v1/tickets", "customer", False),
    "reply": ("/api/v1/replies", "customer", False),
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
    "cursor=x",
    "cursor=",
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


Service = tuple[FastAPI, httpx.AsyncClient]


@pytest.fixture(scope="module")
async def fast(app: FastAPI) -> AsyncIterator[Service]:
    """The service built with ``FAST_PATH=true``, whatever the environment says."""
    application = create_app(make_settings(fast_path=True))
    assert isinstance(application.state.fast_path, FastPath)
    async with serving(application) as client:
        yield application, client


@pytest.fixture(scope="module")
async def routed(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The same service built with ``FAST_PATH=false``: plain FastAPI."""
    application = create_app(make_settings(fast_path=False))
    assert application.state.fast_path is None
    assert not any(isinstance(route, FastPath) for route in application.routes)
    async with serving(application) as client:
        yield client


@pytest.fixture
def served(fast: Service, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each request to the fast service: did the fast path take it?"""
    taken: list[bool] = []
    fast_path: FastPath = fast[0].state.fast_path
    matches = fast_path.matches

    def spy(scope: Scope) -> tuple[Match, Scope]:
        match, child = matches(scope)
        taken.append(match is Match.FULL)
        return match, child

    monkeypatch.setattr(fast_path, "matches", spy)
    return taken


def answer(response: httpx.Response) -> tuple[int, str | None, Any]:
    """What a client reads of a response, less what differs from request to request."""
    body = response.json()
    error = body.get("error")
    if error is not None:
        assert error.pop("requestId") == response.headers["X-Request-ID"]
        error.pop("timestamp")
    return response.status_code, response.headers.get("ETag"), body


def details(response: httpx.Response) -> tuple[int, list[dict[str, str]]]:
    body = response.json()
    return response.status_code, body["error"]["details"] if "error" in body else []


@pytest.mark.parametrize("name", sorted(READS))
async def test_a_read_by_id_answers_as_fastapi_does(
    fast: Service,
    routed: httpx.AsyncClient,
    db: AsyncConnection,
    make_user: MakeUser,
    served: list[bool],
    name: str,
) -> None:
    client = fast[1]
    collection, create, role = READS[name]
    caller = await make_user(role)
    row = await create(db, caller)
    statuses = []
    for path, headers in (
        (f"{collection}/{row['id']}", caller.headers),
        (f"{collection}/{UNKNOWN}", caller.headers),
        (f"{collection}/{row['id']}", {"Authorization": "Bearer not-a-token"}),
    ):
        quick = await client.get(path, headers=headers)
        assert answer(quick) == answer(await routed.get(path, headers=headers))
        statuses.append(quick.status_code)
    assert statuses == [200, 404, 401]
    assert served == [True, True, True]
    response = await client.get(f"{collection}/not-a-uuid", headers=caller.headers)
    assert response.status_code == 422
    assert served[-1] is False  # FastAPI validates it


@pytest.mark.parametrize("name", sorted(CREATES))
async def test_a_fast_create_refuses_bodies_as_fastapi_does(
    fast: Service,
    routed: httpx.AsyncClient,
    db: AsyncConnection,
    make_user: MakeUser,
    served: list[bool],
    name: str,
) -> None:
    client = fast[1]
    collection, role = CREATES[name]
    caller = await make_user(role)
    table = Base.metadata.tables[CREATED_TABLES[name]]
    for content_type, content, status in BAD_BODIES:
        headers = dict(caller.headers)
        if content_type is not None:
            headers["Content-Type"] = content_type
        quick = await client.post(collection, content=content, headers=headers)
        if quick.is_success:
            # Gone before FastAPI's turn: a unique group of fields that all have
            # defaults takes the same {} once.
            await db.execute(
                table.delete().where(table.c.id == uuid.UUID(quick.json()["data"]["id"]))
            )
            await db.commit()
        expected = await routed.post(collection, content=content, headers=headers)
        if expected.is_success:
            # A body FastAPI takes (no required field: {} is a whole create) is taken
            # here too, and creates.
            assert quick.status_code == expected.status_code, (content_type, content, quick.text)
            continue
        assert details(quick) == details(expected), (content_type, content)
        assert quick.status_code == status, (content_type, content)
    headers = caller.headers | {"Idempotency-Key": "has spaces", "Content-Type": "application/json"}
    for content in (b"[]", b"{}"):
        quick = await client.post(collection, content=content, headers=headers)
        expected = await routed.post(collection, content=content, headers=headers)
        assert details(quick) == details(expected), content
        assert quick.status_code == 422, content
    assert served == [True] * (len(BAD_BODIES) + 2)


@pytest.mark.parametrize("name", sorted(CREATES))
async def test_a_fast_create_checks_the_caller_before_the_body(
    fast: Service, routed: httpx.AsyncClient, served: list[bool], name: str
) -> None:
    client = fast[1]
    collection = CREATES[name][0]
    # Neither JSON nor valid: a caller who may not create hears only that (401), never
    # what the body should have been.
    for headers, content in (
        ({"Content-Type": "application/json"}, b"{"),
        ({"Content-Type": "application/json"}, b'{"unknown": 1}'),
        ({"Content-Type": "text/plain"}, b"{}"),
    ):
        response = await client.post(collection, content=content, headers=headers)
        assert details(response) == details(
            await routed.post(collection, content=content, headers=headers)
        )
        if name in ANONYMOUS_CREATES:
            assert response.status_code in (415, 422), content
        else:
            assert details(response) == (401, []), content
    assert served == [True] * 3


@pytest.mark.parametrize("name", sorted(LISTS))
async def test_a_fast_list_reads_its_query_as_fastapi_does(
    fast: Service,
    routed: httpx.AsyncClient,
    make_user: MakeUser,
    served: list[bool],
    name: str,
) -> None:
    client = fast[1]
    collection, role, by_cursor = LISTS[name]
    caller = await make_user(role)
    for query in BAD_QUERIES:
        quick = await client.get(f"{collection}?{query}", headers=caller.headers)
        expected = await routed.get(f"{collection}?{query}", headers=caller.headers)
        assert details(quick) == details(expected), query
        assert quick.status_code == 422, query
    later = "" if by_cursor else "page=2&"
    for query in ("", "?limit=1", f"?{later}limit={MAX_PAGE_SIZE + 1}&limit={MAX_PAGE_SIZE}"):
        quick = await client.get(collection + query, headers=caller.headers)
        assert answer(quick) == answer(await routed.get(collection + query, headers=caller.headers))
        assert quick.status_code == 200, query
    assert served == [True] * (len(BAD_QUERIES) + 3)


async def test_the_fast_path_takes_only_the_methods_and_paths_of_its_operations() -> None:
    async def item(id: uuid.UUID) -> dict[str, str]:
        return {}

    async def create() -> dict[str, str]:
        return {}

    async def listing() -> dict[str, str]:
        return {}

    async def plain(_request: Request) -> Response:
        return Response()

    service = FastAPI()
    service.get("/api/items/{id}")(item)
    service.post("/api/items")(create)
    things = APIRouter()
    things.get("/things")(listing)
    service.include_router(things, prefix="/api")  # its template has the prefix
    fast_path = fastpath.install(service, {item: plain, create: plain, listing: plain})
    assert service.routes[0] is fast_path

    def scope(method: str, path: str, root_path: str = "", kind: str = "http") -> Scope:
        return {"type": kind, "method": method, "path": path, "root_path": root_path, "headers": []}

    found_item = f"/api/items/{UNKNOWN}"
    for method, path, function, params in (
        ("GET", found_item, item, {"id": str(UNKNOWN)}),
        ("POST", "/api/items", create, {}),
        ("GET", "/api/things", listing, {}),
    ):
        match, child = fast_path.matches(scope(method, path))
        assert match is Match.FULL
        assert isinstance(child["route"], APIRoute)
        assert child["route"].endpoint is function
        assert child == {"route": child["route"], "endpoint": plain, "path_params": params}
    for refused in (
        scope("HEAD", found_item),  # FastAPI answers 405: so does the fast path's
        scope("POST", found_item),
        scope("PUT", "/api/items"),
        scope("GET", "/api/items"),
        scope("POST", "/api/items/"),
        scope("GET", "/api/items/"),  # the items' prefix is no item: a trailing slash
        scope("GET", f"/api/items/{UNKNOWN}/"),
        scope("GET", found_item, root_path="/behind"),
        scope("POST", "/api/items", root_path="/behind"),
        scope("GET", "/api/items/not-a-uuid"),
        scope("GET", f"/api/other/{UNKNOWN}"),
        scope("GET", f"/api/items/{UNKNOWN}/more"),
        scope("POST", "/api/things"),
        scope("GET", "/api/things/"),
        scope("GET", f"/api/things/{UNKNOWN}"),
        scope("GET", "/api/things", kind="websocket"),
    ):
        assert fast_path.matches(refused)[0] is Match.NONE, refused
    # With dependency overrides FastAPI serves everything, so that each one applies.
    service.dependency_overrides[listing] = create
    assert fast_path.matches(scope("GET", "/api/things"))[0] is Match.NONE
    service.dependency_overrides.clear()
    assert fast_path.matches(scope("GET", "/api/things"))[0] is Match.FULL


async def test_the_fast_path_serves_only_routes_it_can_match_and_finds() -> None:
    async def endpoint() -> dict[str, str]:
        return {}

    async def plain(_request: Request) -> Response:
        return Response()

    for method, path, problem in (
        ("GET", "/api/{kind}/{id}", "a fixed prefix and one parameter"),
        ("GET", "/api/items/{id}/more", "a fixed prefix and one parameter"),
        ("GET", "/api/items/{id}x", "a fixed prefix and one parameter"),
        ("POST", "/api/items/{id}", "a fast POST route has a fixed path"),
    ):
        service = FastAPI()
        service.add_api_route(path, endpoint, methods=[method])
        with pytest.raises(ValueError, match=problem):
            fastpath.install(service, {endpoint: plain})
    with pytest.raises(ValueError, match="no route of the app has these endpoints: plain"):
        fastpath.install(FastAPI(), {plain: plain})
