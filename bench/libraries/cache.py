"""The generated read cache (app/core/cache.py, cachestore.py) against ``cashews`` 7.6.

One operation is a read of one cached row, as a service's ``get`` does it
(``cache.current().row(entity, id, ttl=..., load=...)``), on a hit. The row is a post
as the database gives it (UUIDs, datetimes, text). Variants:

* hand-written: ``Cache`` over its ``MemoryStore`` or ``RedisStore``;
* cashews as the store under the same ``Cache`` (an adapter of ``Store``);
* cashews as its users would write it: ``@cache(ttl, key=..., tags=[entity])``, a write
  invalidating with ``delete_tags(entity)``.

Then a write's invalidation followed by a read (a miss: read, loaded, stored), and one
invalidation of an entity with 1,000 cached rows. In memory and in Redis (DB 13).
Behaviour checks: concurrent misses of one key (how many loads), types after a round
trip, a write's invalidation seen by the next read, and a read while Redis is down.

Run: /tmp/libraries-venv/bin/python bench/libraries/cache.py
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cashews import Cache as Cashews
from redis.asyncio import Redis
from timing import Result, arguments, measure_async, save, wait_for_quiet

ROWS = 1000
IDS = [uuid.UUID(int=i + 1) for i in range(ROWS)]
AUTHOR = uuid.UUID(int=424242)
STAMP = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


def post(row_id: uuid.UUID) -> dict[str, Any]:
    return {
        "id": row_id,
        "title": "A title of a post",
        "body": "Some words of a body. " * 10,
        "status": "published",
        "author_id": AUTHOR,
        "created_at": STAMP,
        "updated_at": STAMP,
    }


class CashewsStore:
    """The generated cache's ``Store`` on a cashews backend."""

    def __init__(self, cache: Cashews) -> None:
        self.cache = cache

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return list(await self.cache.get_many(*keys))

    async def set(self, key: str, value: bytes, *, ttl: float) -> None:
        await self.cache.set(key, value, expire=ttl)

    async def add(self, key: str, value: bytes) -> bool:
        return bool(await self.cache.set(key, value, exist=False))

    async def set_many(self, values: Mapping[str, bytes]) -> None:
        await self.cache.set_many(dict(values))

    async def clear(self, prefix: str) -> None:
        await self.cache.delete_match(f"{prefix}*")

    async def close(self) -> None:
        return None


def cashews_reader(cache: Cashews, loads: list[int]) -> Any:
    """A cached row read as cashews' documentation writes one."""

    @cache(ttl=60, key="posts:row:{scope}:{row_id}", tags=["posts"])
    async def read_row(row_id: uuid.UUID, scope: str = "all") -> dict[str, Any]:
        loads[0] += 1
        await asyncio.sleep(0)
        return post(row_id)

    return read_row


def main() -> None:
    args = arguments(__doc__ or "", iterations=20_000, repeats=7)
    from app.core import cache as hand
    from app.core import cachestore

    loop = asyncio.new_event_loop()
    redis_url = args.redis.format(db=13)
    results: list[Result] = []

    async def load_one(row_id: uuid.UUID) -> dict[str, Any]:
        return post(row_id)

    def hand_reader(cache: Any) -> Any:
        async def read(row_id: uuid.UUID) -> Any:
            return await cache.row("posts", row_id, ttl=60, load=lambda: load_one(row_id))

        return read

    async def build() -> dict[str, tuple[Any, Any, Any]]:
        """name -> (read(row_id), invalidate(), clear())"""
        mem_hand = hand.Cache(cachestore.MemoryStore(max_entries=10_000), prefix="bench:cache")
        redis_client = Redis.from_url(redis_url)
        redis_hand = hand.Cache(
            cachestore.RedisStore(redis_client), prefix="bench:cache", backend="redis"
        )
        mem_cashews = Cashews()
        mem_cashews.setup("mem://?size=10000")
        redis_cashews = Cashews()
        redis_cashews.setup(redis_url)
        mem_adapted = hand.Cache(CashewsStore(mem_cashews), prefix="bench:adapted")
        redis_adapted = hand.Cache(CashewsStore(redis_cashews), prefix="bench:adapted")
        loads = [0]

        def tagged(cache: Cashews) -> tuple[Any, Any, Any]:
            reader = cashews_reader(cache, loads)

            async def clear() -> None:
                await cache.delete_tags("posts")
                await cache.delete_match("posts:*")

            return reader, lambda: cache.delete_tags("posts"), clear

        def ours(cache: Any) -> tuple[Any, Any, Any]:
            return hand_reader(cache), lambda: cache.invalidate("posts"), cache.clear

        return {
            "memory  hand-written Cache + MemoryStore": ours(mem_hand),
            "memory  Cache + cashews mem:// as its store": ours(mem_adapted),
            "memory  cashews @cache(tags) mem://": tagged(mem_cashews),
            "redis   hand-written Cache + RedisStore": ours(redis_hand),
            "redis   Cache + cashews redis:// as its store": ours(redis_adapted),
            "redis   cashews @cache(tags) redis://": tagged(redis_cashews),
        }

    variants = loop.run_until_complete(build())
    n, r = args.iterations, args.repeats
    for name, (read, invalidate, clear) in variants.items():
        iterations = n if name.startswith("memory") else n // 4

        async def fill(read: Any = read, clear: Any = clear) -> None:
            await clear()
            for row_id in IDS:
                await read(row_id)

        async def hits(count: int, read: Any = read) -> None:
            for i in range(count):
                await read(IDS[i % ROWS])

        loop.run_until_complete(fill())
        results.append(
            measure_async(
                f"{name}: hit", hits, iterations=iterations, repeats=r, loop=loop, setup=fill
            )
        )

        async def misses(count: int, read: Any = read, invalidate: Any = invalidate) -> None:
            # Each read follows a write's invalidation of the entity: a miss, then a set.
            for i in range(count):
                await invalidate()
                await read(IDS[i % ROWS])

        results.append(
            measure_async(
                f"{name}: invalidate + miss",
                misses,
                iterations=max(1, iterations // 10),
                repeats=r,
                loop=loop,
            )
        )
    for name, (read, invalidate, clear) in variants.items():
        results.append(_invalidation(name, read, invalidate, clear, loop=loop, repeats=r))

    behaviour = loop.run_until_complete(_behaviour(hand, cachestore, redis_url))
    for _, _, clear in variants.values():
        loop.run_until_complete(clear())
    save("cache", results, behaviour)


def _invalidation(
    name: str, read: Any, invalidate: Any, clear: Any, *, loop: Any, repeats: int
) -> Result:
    """CPU of one invalidation of an entity with ROWS rows cached (filled untimed)."""
    result = Result(f"{name}: invalidate {ROWS} rows")
    for _ in range(repeats):
        wait_for_quiet()
        loop.run_until_complete(clear())
        for row_id in IDS:
            loop.run_until_complete(read(row_id))
        cpu, wall = time.process_time(), time.perf_counter()
        loop.run_until_complete(invalidate())
        result.cpu_us.append((time.process_time() - cpu) * 1e6)
        result.wall_us.append((time.perf_counter() - wall) * 1e6)
    print(result.line(), flush=True)
    return result


async def _behaviour(hand: Any, cachestore: Any, redis_url: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # 20 concurrent reads of one missing row: how many loads reach the database?
    loads = [0]

    async def slow_load() -> dict[str, Any]:
        loads[0] += 1
        await asyncio.sleep(0.01)
        return post(IDS[0])

    ours = hand.Cache(cachestore.MemoryStore(), prefix="stampede")
    await asyncio.gather(*(ours.row("posts", IDS[0], ttl=60, load=slow_load) for _ in range(20)))
    out["loads_of_20_concurrent_misses_hand"] = loads[0]
    for label, options in (("cashews", {}), ("cashews_lock", {"lock": True})):
        mem = Cashews()
        mem.setup("mem://")
        counted = [0]

        @mem(ttl=60, key="stampede:{row_id}", **options)
        async def read(row_id: uuid.UUID, counted: list[int] = counted) -> dict[str, Any]:
            counted[0] += 1
            await asyncio.sleep(0.01)
            return post(row_id)

        await asyncio.gather(*(read(IDS[0]) for _ in range(20)))
        out[f"loads_of_20_concurrent_misses_{label}"] = counted[0]
    # Types after a Redis round trip, and the next read after a write.
    redis_hand = hand.Cache(cachestore.RedisStore(Redis.from_url(redis_url)), prefix="types")
    await redis_hand.clear()
    await redis_hand.row("posts", IDS[1], ttl=60, load=lambda: _value(post(IDS[1])))
    cached = await redis_hand.row("posts", IDS[1], ttl=60, load=lambda: _value(None))
    out["hand_redis_roundtrip_equal"] = cached == post(IDS[1])
    await redis_hand.invalidate("posts")
    fresh = await redis_hand.row("posts", IDS[1], ttl=60, load=lambda: _value({"fresh": 1}))
    out["hand_after_invalidate_reads_database"] = fresh == {"fresh": 1}
    redis_cashews = Cashews()
    redis_cashews.setup(redis_url)
    loads = [0]
    read = cashews_reader(redis_cashews, loads)
    await redis_cashews.delete_tags("posts")
    await read(IDS[1])
    out["cashews_redis_roundtrip_equal"] = (await read(IDS[1])) == post(IDS[1])
    await redis_cashews.delete_tags("posts")
    await read(IDS[1])
    out["cashews_after_delete_tags_reads_database"] = loads[0] == 2
    # A read while Redis cannot be reached (nothing listens on port 1).
    down_hand = hand.Cache(
        cachestore.RedisStore(Redis.from_url("redis://127.0.0.1:1/13")), prefix="down"
    )
    row = await down_hand.row("posts", IDS[2], ttl=60, load=lambda: _value(post(IDS[2])))
    out["hand_redis_down"] = f"served from load: {row == post(IDS[2])}, errors counted: " + str(
        down_hand.stats().errors
    )
    down_cashews = Cashews()
    down_cashews.setup("redis://127.0.0.1:1/13")
    loads = [0]
    read = cashews_reader(down_cashews, loads)
    try:
        got = await read(IDS[2])
        out["cashews_redis_down"] = f"served from load: {got == post(IDS[2])} (suppress=True)"
    except Exception as exc:
        out["cashews_redis_down"] = f"raises {type(exc).__name__}"
    print("behaviour:", out)
    return out


async def _value(value: Any) -> Any:
    return value


if __name__ == "__main__":
    main()
