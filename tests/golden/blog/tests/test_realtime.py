"""The change feeds (``<collection>/events``) tell each watcher what REST would show it.

Every kind of caller (anonymous, the rows' maker, one of each role) watches each
entity's feed while a row is created, changed and deleted over REST: a caller the read
rule refuses is closed at the start with the code of REST's refusal; the others are
sent each change of a row exactly when ``GET`` of that row answers them 200, with the
row as that ``GET`` shows it, and nothing for a row it does not show. Then the session,
the start, a client that falls behind, and the changes of one replica reaching another.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.events import Change
from app.main import create_app
from tests.apps import serving
from tests.conftest import make_settings
from tests.factories import Account
from tests.test_bookmark import valid_body as bookmark_body
from tests.test_comment import valid_body as comment_body
from tests.test_graphql import CASES as GRAPHQL_CASES
from tests.test_post import valid_body as post_body
from tests.test_tag import valid_body as tag_body

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
ROLES = ("admin", "author", "reader")
HEARTBEAT = 0.05  # seconds: an idle feed's heartbeat, in these tests
QUIET = 0.4  # seconds a watcher that must be told nothing is listened to
CLOSED_FOR = {401: 4401, 403: 4403}  # REST's refusal of a read -> the feed's close code


@dataclass(frozen=True)
class Case:
    entity: str
    collection: str
    creator: str  # a role that may create rows with the body below
    body: Callable[[AsyncConnection, Account], Awaitable[dict[str, Any]]]
    patch: dict[str, Any]

    @property
    def feed(self) -> str:
        return f"{self.collection}/events"


CASES = (
    Case(
        entity="posts",
        collection="/api/v1/posts",
        creator="author",
        body=post_body,
        patch={"title": "Hello, world"},
    ),
    Case(
        entity="comments",
        collection="/api/v1/comments",
        creator="reader",
        body=comment_body,
        patch={"body": "Sample body"},
    ),
    Case(
        entity="tags",
        collection="/api/v1/tags",
        creator="admin",
        body=tag_body,
        patch={"name": "python"},
    ),
    Case(
        entity="bookmarks",
        collection="/api/v1/bookmarks",
        creator="reader",
        body=bookmark_body,
        patch={"note": "Read this again"},
    ),
)


@asynccontextmanager
async def feeds(**settings: Any) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An app whose feeds beat every HEARTBEAT, and a client that speaks WebSocket too."""
    application = create_app(
        make_settings(realtime_heartbeat_seconds=HEARTBEAT, realtime_start_seconds=0.5, **settings)
    )
    async with serving(application, transport=ASGIWebSocketTransport(app=application)) as http:
        yield application, http


def token(actor: Account | None) -> str | None:
    return actor.headers["Authorization"].removeprefix("Bearer ") if actor is not None else None


async def watch(
    stack: AsyncExitStack, http: httpx.AsyncClient, url: str, actor: Account | None
) -> tuple[AsyncWebSocketSession, int | None]:
    """A started feed, and the code it was closed with at the start (``None``: ready)."""
    ws: AsyncWebSocketSession = await stack.enter_async_context(
        aconnect_ws(f"http://test{url}", http)
    )
    await ws.send_json({"type": "start", "token": token(actor)})
    try:
        first = await ws.receive_json(timeout=5)
    except WebSocketDisconnect as closed:
        return ws, closed.code
    assert first == {"type": "ready"}
    return ws, None


async def next_change(ws: AsyncWebSocketSession, seconds: float = 5) -> dict[str, Any]:
    """The next message that is not a heartbeat, within ``seconds``."""
    with anyio.fail_after(seconds):
        while True:
            message: dict[str, Any] = await ws.receive_json()
            if message["type"] != "heartbeat":
                return message


async def closed_with(ws: AsyncWebSocketSession, *, only_heartbeats: bool = False) -> int:
    """The code the feed is closed with within 5 seconds, reading what it sends until then."""
    try:
        with anyio.fail_after(5):
            while True:
                message = await ws.receive_json()
                assert not only_heartbeats or message == {"type": "heartbeat"}, message
    except WebSocketDisconnect as closed:
        return int(closed.code)


async def told_nothing(ws: AsyncWebSocketSession) -> None:
    """Only heartbeats for QUIET seconds."""
    loop = asyncio.get_running_loop()
    until = loop.time() + QUIET
    while (left := until - loop.time()) > 0:
        try:
            message = await ws.receive_json(timeout=left)
        except TimeoutError:
            return
        assert message == {"type": "heartbeat"}, message


def rest_row(response: httpx.Response) -> dict[str, Any] | None:
    """The row a GET answered, or None where it does not show it (404)."""
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    row: dict[str, Any] = response.json()["data"]
    return row


async def expect(
    watchers: list[tuple[str, Account | None, AsyncWebSocketSession]],
    seen: dict[str, dict[str, Any] | None],
    action: str,
    row_id: str,
) -> None:
    """Each watcher is told of the change exactly when it saw the row (``seen``)."""

    async def check(who: str, ws: AsyncWebSocketSession) -> None:
        shown = seen[who]
        if shown is None:
            await told_nothing(ws)
            return
        message = await next_change(ws)
        expected = {"type": "change", "action": action, "id": row_id}
        assert {k: message[k] for k in expected} == expected, (who, message)
        assert message["data"] == (None if action == "deleted" else shown), who

    await asyncio.gather(*(check(who, ws) for who, _, ws in watchers))


async def seen_by(
    http: httpx.AsyncClient,
    case: Case,
    row_id: str,
    watchers: list[tuple[str, Account | None, Any]],
) -> dict[str, dict[str, Any] | None]:
    return {
        who: rest_row(
            await http.get(f"{case.collection}/{row_id}", headers=actor.headers if actor else {})
        )
        for who, actor, _ in watchers
    }


@pytest.mark.parametrize("case", CASES, ids=[case.entity for case in CASES])
async def test_each_change_reaches_exactly_the_watchers_that_may_read_the_row(
    app: FastAPI, db: AsyncConnection, make_user: MakeUser, case: Case
) -> None:
    async with feeds() as (_, http), AsyncExitStack() as stack:
        maker = await make_user(case.creator)
        callers: list[tuple[str, Account | None]] = [("anonymous", None), ("the maker", maker)]
        callers += [(f"one of role {role}", await make_user(role)) for role in ROLES]
        watchers = []
        for who, actor in callers:
            ws, closed = await watch(stack, http, case.feed, actor)
            probe = await http.get(
                f"{case.collection}/{uuid.uuid4()}", headers=actor.headers if actor else {}
            )
            # The read rule refuses at the start what GET refuses before looking for a row.
            assert closed == CLOSED_FOR.get(probe.status_code), (who, probe.status_code, closed)
            if closed is None:
                watchers.append((who, actor, ws))
        if "post" not in app.openapi()["paths"][case.collection]:
            return  # no row is created over REST: the start is all there is to see
        created = await http.post(
            case.collection, json=await case.body(db, maker), headers=maker.headers
        )
        assert created.status_code == 201, created.text
        row_id = created.json()["data"]["id"]
        await expect(watchers, await seen_by(http, case, row_id, watchers), "created", row_id)
        # A change by the first caller allowed to make it; refused ones are told to no one.
        for _, actor in [("the maker", maker), *callers]:
            if actor is None or not case.patch:
                continue
            changed = await http.patch(
                f"{case.collection}/{row_id}", json=case.patch, headers=actor.headers
            )
            if changed.status_code == 200:
                await expect(
                    watchers, await seen_by(http, case, row_id, watchers), "updated", row_id
                )
                break
            await expect(watchers, dict.fromkeys(who for who, _, _ in watchers), "updated", row_id)
        before = await seen_by(http, case, row_id, watchers)
        for _, actor in [("the maker", maker), *callers]:
            if actor is None:
                continue
            deleted = await http.delete(f"{case.collection}/{row_id}", headers=actor.headers)
            if deleted.status_code == 204:
                await expect(watchers, before, "deleted", row_id)
                break


async def test_a_feed_ends_with_its_session(make_user: MakeUser) -> None:
    case = CASES[0]
    async with feeds() as (_, http), AsyncExitStack() as stack:
        actor = await make_user(case.creator)
        ws, closed = await watch(stack, http, case.feed, actor)
        if closed is not None:
            pytest.skip(f"{case.creator} may not read {case.entity}")
        assert (await http.post("/api/v1/auth/logout", headers=actor.headers)).status_code == 204
        assert await closed_with(ws, only_heartbeats=True) == 4401


async def test_a_feed_starts_only_with_a_start_message_and_a_valid_token() -> None:
    case = CASES[0]
    async with feeds() as (_, http):
        for first, code in (
            ({"type": "hello"}, 4400),
            ({"type": "start", "token": 42}, 4400),
            ({"type": "start", "token": "not.a.token"}, 4401),
            (None, 4400),  # nothing within the start's time
        ):
            socket: AsyncWebSocketSession
            async with aconnect_ws(f"http://test{case.feed}", http) as socket:
                if first is not None:
                    await socket.send_json(first)
                assert await closed_with(socket) == code, first


async def test_a_watcher_too_far_behind_is_closed(make_user: MakeUser) -> None:
    case = CASES[0]
    async with feeds(realtime_queue_limit=3) as (application, http), AsyncExitStack() as stack:
        ws, closed = await watch(stack, http, case.feed, await make_user(case.creator))
        if closed is not None:
            pytest.skip(f"{case.creator} may not read {case.entity}")
        hub = application.state.events
        assert hub.watching(case.entity) == 1
        for n in range(4):  # delivered at once: the feed has no turn to send any
            hub.deliver(Change(case.entity, "deleted", str(n), {"id": str(n)}))
        assert await closed_with(ws) == 1013
        assert hub.watching(case.entity) == 0


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="REDIS_URL is not set: replicas share changes through Redis",
)
async def test_changes_reach_every_replica_through_redis(
    db: AsyncConnection, make_user: MakeUser
) -> None:
    case = CASES[0]
    channel = f"test:{os.urandom(8).hex()}"
    url = os.environ["REDIS_URL"]
    async with (
        feeds(realtime_channel=channel) as (one, first),
        feeds(realtime_channel=channel) as (other, second),
    ):
        for application in (one, other):
            await application.state.events.use_redis(url, channel)
        try:
            async with AsyncExitStack() as stack:
                maker = await make_user(case.creator)
                ws, closed = await watch(stack, second, case.feed, maker)
                if closed is not None:
                    pytest.skip(f"{case.creator} may not read {case.entity}")
                created = await first.post(
                    case.collection, json=await case.body(db, maker), headers=maker.headers
                )
                assert created.status_code == 201, created.text
                message = await next_change(ws)
                assert (message["action"], message["id"]) == (
                    "created",
                    created.json()["data"]["id"],
                )
        finally:
            for application in (one, other):
                await application.state.events.close()


# -- GraphQL subscriptions (graphql-transport-ws at /graphql) ----------------------------


async def subscribed(
    stack: AsyncExitStack,
    http: httpx.AsyncClient,
    actor: Account | None,
    field: str,
    selection: str,
) -> AsyncWebSocketSession:
    """A socket acknowledged and subscribed (id ``1``) to ``field``."""
    ws: AsyncWebSocketSession = await stack.enter_async_context(
        aconnect_ws("http://test/graphql", http, subprotocols=["graphql-transport-ws"])
    )
    await ws.send_json(
        {"type": "connection_init", "payload": {"token": token(actor)} if actor else {}}
    )
    assert await ws.receive_json(timeout=5) == {"type": "connection_ack"}
    query = f"subscription {{ {field} {{ action id row {{ {selection} }} }} }}"
    await ws.send_json({"type": "subscribe", "id": "1", "payload": {"query": query}})
    return ws


async def refused_handshake(http: httpx.AsyncClient, url: str) -> int | None:
    """The code the server closes a socket with before accepting it (None: accepted)."""
    try:
        async with aconnect_ws(f"http://test{url}", http):
            return None
    except WebSocketDisconnect as closed:
        return int(closed.code)


async def quiet_or_refused(ws: AsyncWebSocketSession) -> str | None:
    """The code a subscription was refused with, or None when nothing came for QUIET seconds."""
    try:
        message = await ws.receive_json(timeout=QUIET)
    except TimeoutError:
        return None
    assert message["type"] == "next", message
    return str(message["payload"]["errors"][0]["extensions"]["code"])


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case.entity for case in CASES])
async def test_subscriptions_send_what_get_shows_each_caller(
    app: FastAPI, db: AsyncConnection, make_user: MakeUser, index: int
) -> None:
    case, typed = CASES[index], GRAPHQL_CASES[index]
    field = f"{typed.item}Changed"
    selection = typed.fields
    async with feeds() as (_, http), AsyncExitStack() as stack:
        maker = await make_user(case.creator)
        callers: list[tuple[str, Account | None]] = [("anonymous", None), ("the maker", maker)]
        callers += [(f"one of role {role}", await make_user(role)) for role in ROLES]
        sockets = [
            (who, actor, await subscribed(stack, http, actor, field, selection))
            for who, actor in callers
        ]
        await asyncio.sleep(HEARTBEAT)  # each subscription is watching
        if "post" not in app.openapi()["paths"][case.collection]:
            return
        created = await http.post(
            case.collection, json=await case.body(db, maker), headers=maker.headers
        )
        assert created.status_code == 201, created.text
        row_id = created.json()["data"]["id"]
        for who, actor, ws in sockets:
            response = await http.get(
                f"{case.collection}/{row_id}", headers=actor.headers if actor else {}
            )
            probe = await http.get(
                f"{case.collection}/{uuid.uuid4()}", headers=actor.headers if actor else {}
            )
            if probe.status_code in CLOSED_FOR:  # the read rule refuses: so does the subscription
                assert await quiet_or_refused(ws) == probe.json()["error"]["code"], who
                continue
            shown = rest_row(response)
            if shown is None:
                assert await quiet_or_refused(ws) is None, who
                continue
            message = await ws.receive_json(timeout=5)
            assert message["type"] == "next", (who, message)
            change = message["payload"]["data"][field]
            assert (change["action"], change["id"]) == ("created", row_id), who
            served = {k: v for k, v in change["row"].items() if k != "_etag"}
            assert served == {k: shown.get(k) for k in served}, who


async def test_the_subscription_protocol_is_kept(make_user: MakeUser) -> None:
    field = f"{GRAPHQL_CASES[0].item}Changed"
    subscription = f"subscription {{ {field} {{ action id }} }}"
    async with feeds() as (_, http):
        assert await refused_handshake(http, "/graphql") == 4406  # no subprotocol
        over_http = await http.post("/graphql", json={"query": subscription})
        assert over_http.status_code == 400
        assert over_http.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        for first, code in (
            (None, 4408),  # no connection_init in time
            ({"type": "subscribe", "id": "1", "payload": {"query": subscription}}, 4401),
            ({"type": "connection_init", "payload": {"token": "not.a.token"}}, 4401),
            ({"type": "nonsense"}, 4400),
        ):
            ws: AsyncWebSocketSession
            async with aconnect_ws(
                "http://test/graphql", http, subprotocols=["graphql-transport-ws"]
            ) as ws:
                if first is not None:
                    await ws.send_json(first)
                assert await closed_with(ws) == code, first
        reader = await a_reader(http, make_user)
        async with AsyncExitStack() as stack:
            ws = await subscribed(stack, http, reader, field, "id")
            await ws.send_json({"type": "ping"})
            assert (await next_of(ws, "pong"))["type"] == "pong"
            # A query goes over HTTP; a document that does not validate is an error.
            for operation_id, query in (("2", "{ __typename }"), ("3", "subscription { nothing }")):
                await ws.send_json(
                    {"type": "subscribe", "id": operation_id, "payload": {"query": query}}
                )
                assert (await next_of(ws, "error"))["id"] == operation_id
            # A second subscription under the id of one still running closes the socket.
            await ws.send_json({"type": "subscribe", "id": "1", "payload": {"query": subscription}})
            assert await closed_with(ws) == 4409


async def a_reader(http: httpx.AsyncClient, make_user: MakeUser) -> Account | None:
    """A caller the first entity's read rule lets watch (its GET of an unknown row is a 404)."""
    case = CASES[0]
    for actor in (None, *[await make_user(role) for role in ROLES]):
        probe = await http.get(
            f"{case.collection}/{uuid.uuid4()}", headers=actor.headers if actor else {}
        )
        if probe.status_code == 404:
            return actor
    raise AssertionError(f"no caller may read {case.entity}")


async def next_of(ws: AsyncWebSocketSession, kind: str) -> dict[str, Any]:
    """The next message of type ``kind`` within 5 seconds."""
    with anyio.fail_after(5):
        while True:
            message: dict[str, Any] = await ws.receive_json()
            if message["type"] == kind:
                return message
