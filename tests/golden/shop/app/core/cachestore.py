"""Where the read cache keeps its entries: in this process (LRU, TTL) or in Redis."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from redis.asyncio import Redis


class Store(Protocol):
    """Where entries live: bytes under string keys, some of them expiring."""

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """The value of each key, ``None`` for a missing or expired one."""
        ...

    async def set(self, key: str, value: bytes, *, ttl: float) -> None:
        """Store ``value`` for ``ttl`` seconds."""
        ...

    async def add(self, key: str, value: bytes) -> bool:
        """Store ``value`` for good unless the key exists; whether it was stored."""
        ...

    async def set_many(self, values: Mapping[str, bytes]) -> None:
        """Store every value for good, replacing what was there."""
        ...

    async def clear(self, prefix: str) -> None:
        """Forget every key that starts with ``prefix`` (tests)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class MemoryStore:
    """Entries in this process: at most ``max_entries``, the least recently used go first."""

    def __init__(
        self, *, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float | None, bytes]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return [self._get(key) for key in keys]

    async def set(self, key: str, value: bytes, *, ttl: float) -> None:
        self._put(key, value, self._clock() + ttl)

    async def add(self, key: str, value: bytes) -> bool:
        if self._get(key) is not None:
            return False
        self._put(key, value, None)
        return True

    async def set_many(self, values: Mapping[str, bytes]) -> None:
        for key, value in values.items():
            self._put(key, value, None)

    async def clear(self, prefix: str) -> None:
        for key in [key for key in self._entries if key.startswith(prefix)]:
            del self._entries[key]

    async def close(self) -> None:
        return None

    def _get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires is not None and self._clock() >= expires:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def _put(self, key: str, value: bytes, expires: float | None) -> None:
        self._entries[key] = (expires, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


class RedisStore:
    """Entries in Redis, shared by every process that uses it; Redis expires them."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis  # shared with the rate limits, which close it

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        values = await self._redis.mget(keys)
        return [value.encode() if isinstance(value, str) else value for value in values]

    async def set(self, key: str, value: bytes, *, ttl: float) -> None:
        await self._redis.set(key, value, px=max(1, round(ttl * 1000)))

    async def add(self, key: str, value: bytes) -> bool:
        return bool(await self._redis.set(key, value, nx=True))

    async def set_many(self, values: Mapping[str, bytes]) -> None:
        await self._redis.mset(dict(values))

    async def clear(self, prefix: str) -> None:
        keys = [key async for key in self._redis.scan_iter(match=f"{prefix}*", count=500)]
        if keys:
            await self._redis.delete(*keys)

    async def close(self) -> None:
        return None
