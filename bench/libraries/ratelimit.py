"""The generated rate limiter (app/core/ratelimit.py) against ``limits`` 5.8.

Both count fixed windows that start at a key's first hit (limits' ``FixedWindowRateLimiter``
sets the key's expiry on its first increment, as the generated store does). One
operation is what a request costs the generated project: count a hit and know the
remaining budget and the reset time (for the RateLimit-* headers), so ``limits`` does
``hit`` then ``get_window_stats``; ``hit`` alone is printed too. Keys rotate over 5,000
clients at 300/minute: a repeat makes 4 hits per key, so every hit is allowed, as for a
client within its budget. In memory and in Redis (DB 12, redis-py for both).

Run: /tmp/libraries-venv/bin/python bench/libraries/ratelimit.py
"""

from __future__ import annotations

import asyncio
from typing import Any

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import FixedWindowRateLimiter
from timing import Result, arguments, measure_async, save

KEYS = [f"post:read:ip:10.0.{i // 250}.{i % 250}" for i in range(5000)]


def main() -> None:
    args = arguments(__doc__ or "", iterations=20_000, repeats=7)
    from app.core import ratelimit as hand  # the generated project's module

    loop = asyncio.new_event_loop()
    redis_url = args.redis.format(db=12)
    rate = hand.Rate(300, 60.0)
    item = RateLimitItemPerMinute(300)
    results: list[Result] = []
    behaviour: dict[str, Any] = {}

    memory = hand.MemoryStore()
    redis_store = hand.RedisStore(redis_url, prefix="bench")
    lib_memory = FixedWindowRateLimiter(MemoryStorage())
    lib_redis = FixedWindowRateLimiter(
        RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix="benchlimits")
    )

    def hand_run(store: Any) -> Any:
        async def run(n: int) -> None:
            take = store.take
            for i in range(n):
                await take(KEYS[i % 5000], rate)

        return run

    def lib_run(limiter: FixedWindowRateLimiter, *, stats: bool) -> Any:
        async def run(n: int) -> None:
            hit, window = limiter.hit, limiter.get_window_stats
            for i in range(n):
                key = KEYS[i % 5000]
                await hit(item, key)
                if stats:
                    await window(item, key)

        return run

    async def reset_all() -> None:
        await memory.reset()
        await redis_store.reset()
        await lib_memory.storage.reset()
        await lib_redis.storage.reset()

    n, r = args.iterations, args.repeats
    for name, run, iterations in (
        ("memory  hand-written MemoryStore.take", hand_run(memory), n),
        ("memory  limits hit + get_window_stats", lib_run(lib_memory, stats=True), n),
        ("memory  limits hit only", lib_run(lib_memory, stats=False), n),
        ("redis   hand-written RedisStore.take (1 script call)", hand_run(redis_store), n // 4),
        ("redis   limits hit + get_window_stats", lib_run(lib_redis, stats=True), n // 4),
        ("redis   limits hit only", lib_run(lib_redis, stats=False), n // 4),
    ):
        results.append(
            measure_async(name, run, iterations=iterations, repeats=r, loop=loop, setup=reset_all)
        )

    behaviour["same_window"] = loop.run_until_complete(_same_decisions(hand, redis_url))
    behaviour["redis_down"] = loop.run_until_complete(_redis_down(hand))
    loop.run_until_complete(reset_all())
    loop.run_until_complete(redis_store.close())
    save("ratelimit", results, behaviour)


async def _same_decisions(hand: Any, redis_url: str) -> dict[str, Any]:
    """Whether both allow the same hits of a 3/minute key: 3 allowed, then refused."""
    rate, item = hand.Rate(3, 60.0), RateLimitItemPerMinute(3)
    out: dict[str, Any] = {}
    redis_store = hand.RedisStore(redis_url, prefix="benchcheck")
    for label, store, limiter in (
        ("memory", hand.MemoryStore(), FixedWindowRateLimiter(MemoryStorage())),
        (
            "redis",
            redis_store,
            FixedWindowRateLimiter(
                RedisStorage(
                    f"async+{redis_url}", implementation="redispy", key_prefix="benchcheck2"
                )
            ),
        ),
    ):
        await store.reset()
        await limiter.storage.reset()
        ours = [(await store.take("k", rate)).allowed for _ in range(5)]
        theirs = [await limiter.hit(item, "k") for _ in range(5)]
        stats = await limiter.get_window_stats(item, "k")
        usage = await store.take("k", rate)
        out[label] = {
            "hand_allowed": ours,
            "limits_allowed": theirs,
            "hand_remaining_reset": [usage.remaining, round(usage.reset, 1)],
            "limits_remaining_reset_epoch": [stats.remaining, round(stats.reset_time, 1)],
            "same": ours == theirs,
        }
        await store.reset()
        await limiter.storage.reset()
    await redis_store.close()
    print("same decisions:", {k: v["same"] for k, v in out.items()})
    return out


async def _redis_down(hand: Any) -> dict[str, str]:
    """What a hit does while Redis cannot be reached (nothing listens on port 1)."""
    down = "redis://127.0.0.1:1/12"
    store = hand.RedisStore(down, prefix="benchdown")
    ours = await store.take("k", hand.Rate(3, 60.0))
    limiter = FixedWindowRateLimiter(RedisStorage(f"async+{down}", implementation="redispy"))
    try:
        theirs = f"allowed={await limiter.hit(RateLimitItemPerMinute(3), 'k')}"
    except Exception as exc:
        theirs = f"raises {type(exc).__name__}"
    out = {"hand": f"allowed={ours.allowed} (counted in process)", "limits": theirs}
    print("redis down:", out)
    return out


if __name__ == "__main__":
    main()
