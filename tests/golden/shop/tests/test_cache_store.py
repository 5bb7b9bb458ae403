"""The read cache on its own: TTL, LRU bound, typed round trips, outages, shared generations.

The Redis tests run when ``REDIS_URL`` is set; they use keys under this run's prefix.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from app.core.cache import Cache, CacheStats, create_cache
from app.core.cachestore import MemoryStore, RedisStore
from app.core.redis import connect
from tests.conftest import make_settings

pytestmark = pytest.mark.anyio

REDIS_URL = os.environ.get("REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: no Redis to share")


class Clock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def loader(calls: list[int], value: Any) -> Any:
    calls.append(1)
    return value


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_memory_entries_expire_after_their_ttl() -> None:
    clock = Clock()
    store = MemoryStore(clock=clock)
    await store.set("k", b"v", ttl=60)
    clock.now += 59
    assert await store.get_many(["k"]) == [b"v"]
    clock.now += 1
    assert await store.get_many(["k"]) == [None]


async def test_memory_store_is_bounded_and_forgets_the_least_recently_used() -> None:
    store = MemoryStore(max_entries=2)
    await store.set("a", b"1", ttl=60)
    await store.set("b", b"2", ttl=60)
    assert await store.get_many(["a"]) == [b"1"]  # "b" is now the least recently used
    await store.set("c", b"3", ttl=60)
    assert await store.get_many(["a", "b", "c"]) == [b"1", None, b"3"]
    assert len(store) == 2


async def test_a_read_through_loads_once_then_hits_until_invalidated() -> None:
    cache = Cache(MemoryStore(), prefix="unit")
    calls: list[int] = []
    row_id = uuid.uuid4()
    row = {"id": row_id, "n": 1}
    for _ in range(3):
        assert await cache.row("things", row_id, ttl=60, load=lambda: loader(calls, row)) == row
    assert (len(calls), cache.stats().hits, cache.stats().misses) == (1, 2, 1)
    await cache.invalidate("things")
    await cache.row("things", row_id, ttl=60, load=lambda: loader(calls, row))
    assert len(calls) == 2
    assert cache.entity_stats()["things"].hit_rate == pytest.approx(2 / 4)


async def test_values_round_trip_with_their_types() -> None:
    cache = Cache(MemoryStore(), prefix="unit")
    row: dict[str, Any] = {
        "id": uuid.uuid4(),
        "at": datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
        "on": date(2024, 5, 6),
        "price": Decimal("10.50"),
        "tiny": Decimal("1E-7"),
        "doc": {"uuid": "not-a-uuid", "list": [1, 2.5, None, True]},
        "flag": False,
        "text": None,
    }
    page = ([row, {**row, "id": uuid.uuid4()}], 7)
    calls: list[int] = []
    for _ in range(2):
        assert (
            await cache.page("things", "list", {}, ttl=60, load=lambda: loader(calls, page)) == page
        )
        cached = await cache.row("things", row["id"], ttl=60, load=lambda: loader(calls, row))
        assert cached == row
        assert [type(v) for v in cached.values()] == [type(v) for v in row.values()]
    assert len(calls) == 2


async def test_a_value_that_cannot_be_encoded_is_served_but_not_cached() -> None:
    cache = Cache(MemoryStore(), prefix="unit")
    calls: list[int] = []
    row_id, huge = uuid.uuid4(), {"n": 2**70}  # wider than JSON numbers orjson writes
    for _ in range(2):
        assert await cache.row("things", row_id, ttl=60, load=lambda: loader(calls, huge)) == huge
    assert (len(calls), cache.stats().errors) == (2, 2)


async def test_a_disabled_cache_always_loads_and_counts_nothing() -> None:
    cache = create_cache(make_settings(cache_enabled=False), None)
    calls: list[int] = []
    for _ in range(2):
        await cache.row("things", uuid.uuid4(), ttl=60, load=lambda: loader(calls, {"n": 1}))
    await cache.invalidate("things")
    assert len(calls) == 2
    assert cache.stats() == CacheStats("disabled")


async def test_an_unreachable_store_degrades_to_loading(caplog: pytest.LogCaptureFixture) -> None:
    redis = connect(f"redis://127.0.0.1:{closed_port()}/0")
    cache = Cache(RedisStore(redis), prefix="unit", backend="redis")
    calls: list[int] = []
    with caplog.at_level(logging.WARNING, logger="app.core.cache"):
        for _ in range(2):
            await cache.row("things", uuid.uuid4(), ttl=60, load=lambda: loader(calls, {"n": 1}))
        await cache.invalidate("things")  # kept, to be sent when the store is back
    assert len(calls) == 2
    assert cache.stats().errors == 3
    assert [r.message for r in caplog.records if "cache store failed" in r.message]
    await cache.close()
    await redis.aclose()


class FlakyStore(MemoryStore):
    """A store in process that fails while ``down`` is set."""

    down = False

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        self._check()
        return await super().get_many(keys)

    async def set_many(self, values: Mapping[str, bytes]) -> None:
        self._check()
        await super().set_many(values)

    def _check(self) -> None:
        if self.down:
            raise ConnectionError("the store is down")


async def test_invalidations_missed_during_an_outage_are_sent_first() -> None:
    clock = Clock()
    store = FlakyStore(clock=clock)
    cache = Cache(store, prefix="unit", retry_seconds=10, clock=clock)
    calls: list[int] = []
    row_id = uuid.uuid4()

    async def read(n: int) -> Any:
        return await cache.row("things", row_id, ttl=600, load=lambda: loader(calls, {"n": n}))

    assert await read(1) == {"n": 1}
    store.down = True
    await cache.invalidate("things")  # fails: the store rests, the invalidation waits
    store.down = False
    assert await read(2) == {"n": 2}  # resting: from the database, without the store
    clock.now += 10
    assert await read(3) == {"n": 3}  # back: the invalidation went first, no stale entry
    assert cache.stats().errors == 2


@needs_redis
async def test_redis_entries_expire_after_their_ttl() -> None:
    redis = connect(REDIS_URL or "")
    store = RedisStore(redis)
    key = f"{make_settings().cache_prefix}:unit:{uuid.uuid4()}"
    await store.set(key, b"v", ttl=0.05)
    assert await store.get_many([key]) == [b"v"]
    await asyncio.sleep(0.1)
    assert await store.get_many([key]) == [None]
    await redis.aclose()


@needs_redis
async def test_caches_share_generations_through_redis() -> None:
    first, second = connect(REDIS_URL or ""), connect(REDIS_URL or "")
    prefix = f"{make_settings().cache_prefix}:unit-shared"
    one = Cache(RedisStore(first), prefix=prefix, backend="redis")
    other = Cache(RedisStore(second), prefix=prefix, backend="redis")
    calls: list[int] = []
    row_id = uuid.uuid4()
    for _ in range(3):
        await other.row("things", row_id, ttl=60, load=lambda: loader(calls, {"n": 1}))
    assert len(calls) == 1
    await one.invalidate("things")
    assert await other.row("things", row_id, ttl=60, load=lambda: loader(calls, {"n": 2})) == {
        "n": 2
    }
    await one.clear()
    await first.aclose()
    await second.aclose()
