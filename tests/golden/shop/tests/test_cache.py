"""Cached entities through the API: no query on a hit, a fresh read after every write path,
TTL, owners kept apart, a Redis outage, two apps sharing invalidation through Redis.

The suite runs without a cache (its factories write behind it); the ``cache`` fixture turns
one on in the suite's app: in Redis when ``REDIS_URL`` is set, else in process.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.cache import Cache, create_cache
from app.core.cachestore import MemoryStore
from app.main import create_app
from app.repositories import product as product_repo
from app.services import product as product_service
from tests import factories
from tests import test_product as product_tests
from tests.conftest import make_settings
from tests.factories import Account
from tests.helpers import assert_error, data, ids, pages
from tests.test_cache_store import Clock, closed_port, needs_redis

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
Row = dict[str, Any]


class Actors:
    """One account per role within a test, so the row's creator is the one who edits it."""

    def __init__(self, make_user: MakeUser) -> None:
        self._make_user = make_user
        self._accounts: dict[str, Account] = {}

    async def __call__(self, role: str) -> Account:
        if role not in self._accounts:
            self._accounts[role] = await self._make_user(role)
        return self._accounts[role]


@pytest.fixture
def actors(make_user: MakeUser) -> Actors:
    return Actors(make_user)


@pytest.fixture
async def cache(app: FastAPI) -> AsyncIterator[Cache]:
    """The suite's app with its cache on (Redis when REDIS_URL is set)."""
    disabled = app.state.cache
    enabled = create_cache(make_settings(cache_enabled=True), app.state.redis)
    await enabled.clear()
    app.state.cache = enabled
    yield enabled
    await enabled.clear()
    app.state.cache = disabled


@dataclass(frozen=True)
class Resource:
    """A cached entity: its endpoints, rows, TTL, and the roles that use it."""

    table: Table
    collection: str
    item: Callable[[Any], str]
    factory: Callable[..., Awaitable[Row]]
    valid_body: Callable[[AsyncConnection, Account], Awaitable[dict[str, Any]]]
    ttl: int
    patch: dict[str, Any]
    create: str
    maker: str  # whose rows every role below reaches
    create_lister: str  # who lists the rows create makes
    read: str
    list: str
    update: str
    delete: str


RESOURCES = {
    "products": Resource(
        table=product_repo.products,
        collection=product_tests.COLLECTION,
        item=product_tests.item,
        factory=factories.create_product,
        valid_body=product_tests.valid_body,
        ttl=product_service.TTL,
        patch={"sku": "MUG-0042"},
        create="admin",
        maker="admin",
        create_lister="customer",
        read="customer",
        list="customer",
        update="admin",
        delete="admin",
    ),
}
FIRST = next(iter(RESOURCES))


def touches(statements: list[str], table: Table) -> list[str]:
    """The statements that read or write ``table``."""
    return [s for s in statements if re.search(rf"\b{table.name}\b", s)]


def seen_alike(seen: Row, written: Row) -> bool:
    """Whether two callers see the same version of a row: the same values of every field
    both see (a field only some roles read is missing for the others)."""
    shared = seen.keys() & written.keys()
    assert {"id", "updated_at"} <= shared, (seen, written)
    return {k: seen[k] for k in shared} == {k: written[k] for k in shared}


def listed_alike(rows: list[Row], written: Row) -> bool:
    """Whether ``rows`` hold ``written`` as their caller sees it."""
    return any(seen_alike(row, written) for row in rows)


async def get(client: httpx.AsyncClient, url: str, account: Account) -> httpx.Response:
    return await client.get(url, headers=account.headers)


async def every_row(client: httpx.AsyncClient, url: str, account: Account) -> list[Row]:
    """Every row of a list, page after page of the spec's page size: the first page is
    the one :func:`warm` cached, and a write may move a row to a later one."""
    return [
        row
        async for response in pages(client, url, account.headers, limit=None)
        for row in data(response)
    ]


async def warm(
    client: httpx.AsyncClient, cache: Cache, actors: Actors, r: Resource, row: Row
) -> Row:
    """Read the row and the first page twice (the second reads are hits); the row read."""
    hits = cache.stats().hits
    for _ in range(2):
        read: Row = data(await get(client, r.item(row["id"]), await actors(r.read)))
        assert (await get(client, r.collection, await actors(r.list))).status_code == 200
    assert cache.stats().hits == hits + 2
    return read


@pytest.mark.parametrize("name", sorted(RESOURCES))
async def test_a_cached_read_runs_no_query_on_its_table(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    actors: Actors,
    cache: Cache,
    count_queries: Any,
    name: str,
) -> None:
    r = RESOURCES[name]
    row = await r.factory(db, await actors(r.maker))
    # Each read by a caller its own rule admits: list and read may name other roles.
    for url, caller in (
        (r.item(row["id"]), await actors(r.read)),
        (r.collection, await actors(r.list)),
    ):
        with count_queries() as first:
            await get(client, url, caller)
        with count_queries() as second:
            await get(client, url, caller)
        assert touches(first, r.table)
        assert not touches(second, r.table)


@pytest.mark.parametrize("name", sorted(RESOURCES))
async def test_a_cached_response_is_byte_identical(
    client: httpx.AsyncClient, db: AsyncConnection, actors: Actors, cache: Cache, name: str
) -> None:
    r = RESOURCES[name]
    for sample in range(3):
        await r.factory(db, await actors(r.maker), sample)
    row = await r.factory(db, await actors(r.maker))
    reader, lister = await actors(r.read), await actors(r.list)
    # The second page: by number, or (a list paged by cursor) after the first page's cursor.
    after = (await get(client, f"{r.collection}?limit=1", lister)).json()["meta"].get("next_cursor")
    later = f"{r.collection}?limit=1&" + (f"cursor={after}" if after is not None else "page=2")
    await cache.clear()  # with a page size of 1, that first page is the default page
    reads = [(r.item(row["id"]), reader), (r.collection, lister), (later, lister)]
    uncached = [await get(client, url, caller) for url, caller in reads]
    cached = [await get(client, url, caller) for url, caller in reads]
    assert cache.stats().hits == len(reads)
    for first, second in zip(uncached, cached, strict=True):
        assert second.content == first.content
        assert second.headers.get("ETag") == first.headers.get("ETag")
    # Each page is its own entry.
    assert ids(uncached[2]) != ids(uncached[1])[:1]


async def create(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    actors: Actors,
    r: Resource,
    row: Row,
    cache: Cache,
) -> None:
    creator = await actors(r.create)
    body = await r.valid_body(db, creator)
    created = data(await client.post(r.collection, json=body, headers=creator.headers), 201)
    assert created["id"] in [
        each["id"] for each in await every_row(client, r.collection, await actors(r.create_lister))
    ]


async def replace(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    actors: Actors,
    r: Resource,
    row: Row,
    cache: Cache,
) -> None:
    # The body names parent rows of the editor's own: a write names only rows its sender reads.
    # The row may then be out of the reader's reach (under the editor's parent): what
    # the reader and the lister get right after the write is what they get once the
    # cache is emptied, and the row as written wherever they still see it.
    editor = await actors(r.update)
    body = await r.valid_body(db, editor)
    written = data(await client.put(r.item(row["id"]), json=body, headers=editor.headers))
    reader, lister = await actors(r.read), await actors(r.list)
    seen = await get(client, r.item(row["id"]), reader)
    listed = await every_row(client, r.collection, lister)
    await cache.clear()
    truth = await get(client, r.item(row["id"]), reader)
    assert seen.status_code == truth.status_code, (seen.text, truth.text)
    if truth.status_code == 200:
        assert data(seen) == data(truth)
        assert seen_alike(data(seen), written)
    assert listed == await every_row(client, r.collection, lister)
    if str(row["id"]) in [each["id"] for each in listed]:
        assert listed_alike(listed, written)


async def patch(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    actors: Actors,
    r: Resource,
    row: Row,
    cache: Cache,
) -> None:
    editor = await actors(r.update)
    written = data(await client.patch(r.item(row["id"]), json=r.patch, headers=editor.headers))
    assert written["updated_at"] != row["updated_at"]
    assert seen_alike(data(await get(client, r.item(row["id"]), await actors(r.read))), written)
    assert listed_alike(await every_row(client, r.collection, await actors(r.list)), written)


async def delete(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    actors: Actors,
    r: Resource,
    row: Row,
    cache: Cache,
) -> None:
    deleter = await actors(r.delete)
    assert (await client.delete(r.item(row["id"]), headers=deleter.headers)).status_code == 204
    assert_error(await get(client, r.item(row["id"]), await actors(r.read)), 404, "NOT_FOUND")
    assert str(row["id"]) not in [
        each["id"] for each in await every_row(client, r.collection, await actors(r.list))
    ]


WRITES = {"create": create, "replace": replace, "update": patch, "delete": delete}


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("name", sorted(RESOURCES))
async def test_the_read_after_a_write_is_fresh(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    actors: Actors,
    cache: Cache,
    name: str,
    write: str,
) -> None:
    r = RESOURCES[name]
    row = await r.factory(db, await actors(r.maker))
    await WRITES[write](client, db, actors, r, await warm(client, cache, actors, r, row), cache)


@pytest.mark.parametrize("name", sorted(RESOURCES))
async def test_an_entry_lives_for_the_ttl_of_its_entity(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncConnection, actors: Actors, name: str
) -> None:
    r = RESOURCES[name]
    clock = Clock()
    disabled, app.state.cache = app.state.cache, Cache(MemoryStore(clock=clock), prefix="ttl")
    try:
        row = await r.factory(db, await actors(r.maker))
        url, reader = r.item(row["id"]), await actors(r.read)
        cached = data(await get(client, url, reader))
        # A change behind the service's back stays unseen until the entry expires.
        await db.execute(
            update(r.table)
            .where(r.table.c.id == row["id"])
            .values(updated_at=datetime(2001, 1, 1, tzinfo=UTC))
        )
        await db.commit()
        clock.now += r.ttl - 1
        assert data(await get(client, url, reader)) == cached
        clock.now += 1
        assert data(await get(client, url, reader))["updated_at"].startswith("2001-01-01")
    finally:
        app.state.cache = disabled


async def test_reads_and_writes_succeed_while_redis_is_unreachable(
    db: AsyncConnection, actors: Actors, caplog: pytest.LogCaptureFixture
) -> None:
    r = RESOURCES[FIRST]
    settings = make_settings(cache_enabled=True, redis_url=f"redis://127.0.0.1:{closed_port()}/0")
    application = create_app(settings)
    transport = httpx.ASGITransport(app=application)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            row = await r.factory(db, await actors(r.maker))
            with caplog.at_level(logging.WARNING, logger="app.core.cache"):
                for _ in range(2):
                    assert data(await get(client, r.item(row["id"]), await actors(r.read)))[
                        "id"
                    ] == str(row["id"])
                    data(await get(client, r.collection, await actors(r.list)))
                editor = await actors(r.update)
                written = await client.patch(
                    r.item(row["id"]), json=r.patch, headers=editor.headers
                )
                assert seen_alike(
                    data(await get(client, r.item(row["id"]), await actors(r.read))), data(written)
                )
        assert application.state.cache.stats().errors >= 4
        assert [rec.message for rec in caplog.records if "cache store failed" in rec.message]
    finally:
        await application.state.rate_limit_store.close()
        await application.state.engine.dispose()


@needs_redis
async def test_two_apps_share_invalidation_through_redis(
    client: httpx.AsyncClient, db: AsyncConnection, actors: Actors, cache: Cache
) -> None:
    r = RESOURCES[FIRST]
    other = create_app(make_settings(cache_enabled=True))
    transport = httpx.ASGITransport(app=other)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as elsewhere:
            row = await r.factory(db, await actors(r.maker))
            url, reader, lister = r.item(row["id"]), await actors(r.read), await actors(r.list)
            for _ in range(2):
                await get(elsewhere, url, reader)
                await get(elsewhere, r.collection, lister)
            assert other.state.cache.stats().hits == 2
            # A write through this app; the other one reads the result, not its cache.
            editor = await actors(r.update)
            written = data(await client.patch(url, json=r.patch, headers=editor.headers))
            assert seen_alike(data(await get(elsewhere, url, reader)), written)
            assert listed_alike(data(await get(elsewhere, r.collection, lister)), written)
    finally:
        await other.state.rate_limit_store.close()
        await other.state.engine.dispose()
