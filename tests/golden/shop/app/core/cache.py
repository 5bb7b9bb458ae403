"""A read-through cache of rows and list pages: in process, or in Redis with ``REDIS_URL``.

Keys name the entity, the caller's scope (an owner's id, or ``all`` when the rule shows
the caller every row) and the query, so an entry only ever reaches callers the query
itself would have shown it to. Each entity has a generation, a random token that every
write through the services replaces once its transaction has committed; an entry keeps
the generation it was read under and is served only while that one is current. A write
thus invalidates every row and page of its entity at once, in every process that shares
the store, and the TTL bounds what a change made outside the service can leave behind.

In process, entries live in a bounded LRU map of each worker: with several workers a
write reaches only its own worker's entries, so run them with Redis. A failure of the
store never fails a request: the read goes to the database, a warning is logged and
``stats().errors`` counts it; the store is not tried again for ``RETRY_SECONDS``, and
invalidations that could not be sent meanwhile are sent before anything is read.

Requests see their app's cache through ``current()`` (``RequestContextMiddleware`` sets it); code
that writes outside a request wraps the writes in ``use(cache)``. The stores are in
``app.core.cachestore``.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import orjson
from redis.asyncio import Redis

from app.core.cachestore import MemoryStore, RedisStore, Store
from app.core.config import Settings
from app.core.redis import REDIS_ERRORS

logger = logging.getLogger(__name__)

Row = dict[str, Any]
# A page's rows, and its total (a number) or, paged by cursor, the position after them.
Page = tuple[list[Row], Any]
T = TypeVar("T")
RETRY_SECONDS = 10.0
HIT, MISS, ERROR = 0, 1, 2  # indexes of the counters kept per entity
# An entry that cannot be encoded or decoded is skipped, never an error of the request.
_CODEC_ERRORS = (TypeError, ValueError, KeyError)


@dataclass(frozen=True)
class CacheStats:
    """What the cache did since it started: reads served, reads missed, failures."""

    backend: str  # memory, redis or disabled
    hits: int = 0
    misses: int = 0
    errors: int = 0  # reads served by the database and writes not sent: the store failed

    @property
    def hit_rate(self) -> float:
        """Hits per read that reached the store (0.0 before the first)."""
        reads = self.hits + self.misses
        return self.hits / reads if reads else 0.0


class Cache:
    """Read-through entries of rows and pages, invalidated per entity by generations.

    Without a store (``CACHE_ENABLED=false``) every read goes to the database and
    invalidations do nothing.
    """

    def __init__(
        self,
        store: Store | None,
        *,
        prefix: str,
        backend: str = "memory",
        retry_seconds: float = RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.backend = backend if store is not None else "disabled"
        self._prefix = f"{prefix}:"
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._down_until: float | None = None
        self._pending: set[str] = set()  # entities whose invalidation is still to be sent
        self._counts: dict[str, list[int]] = {}  # entity -> [hits, misses, errors]

    async def row(
        self,
        entity: str,
        row_id: uuid.UUID,
        *,
        scope: uuid.UUID | None = None,
        ttl: float,
        load: Callable[[], Awaitable[Row | None]],
    ) -> Row | None:
        """One row of ``entity``: from the cache, else from ``load`` (and then cached)."""
        key = f"{self._prefix}{entity}:row:{_scope(scope)}:{row_id}"
        return await self._read(entity, key, ttl, load, _pack_row, _unpack_row)

    async def page(
        self,
        entity: str,
        view: str,
        params: Mapping[str, Any],
        *,
        scope: uuid.UUID | None = None,
        ttl: float,
        load: Callable[[], Awaitable[Page]],
    ) -> Page:
        """A page of ``view`` (a list of ``entity``) for ``params``, cached like ``row``."""
        query = orjson.dumps(params, default=str, option=orjson.OPT_SORT_KEYS)
        digest = hashlib.blake2b(query, digest_size=16).hexdigest()
        key = f"{self._prefix}{entity}:page:{_scope(scope)}:{view}:{digest}"
        return await self._read(entity, key, ttl, load, _pack_page, _unpack_page)

    async def invalidate(self, *entities: str) -> None:
        """Make every cached row and page of ``entities`` stale; never raises."""
        if self.store is None:
            return
        self._pending.update(entities)
        if not await self._ready():
            for entity in entities:
                self._count(entity, ERROR)

    def stats(self) -> CacheStats:
        """Hits, misses and errors of every entity together."""
        hits, misses, errors = (sum(c[i] for c in self._counts.values()) for i in range(3))
        return CacheStats(self.backend, hits, misses, errors)

    def entity_stats(self) -> dict[str, CacheStats]:
        """Hits, misses and errors per entity (by plural name)."""
        return {
            entity: CacheStats(self.backend, *counts)
            for entity, counts in sorted(self._counts.items())
        }

    async def clear(self) -> None:
        """Forget every entry, the counters and a past failure (tests)."""
        self._counts.clear()
        self._pending.clear()
        self._down_until = None
        if self.store is not None:
            await self.store.clear(self._prefix)

    async def close(self) -> None:
        """Release the store's connections."""
        if self.store is not None:
            await self.store.close()

    async def _read(
        self,
        entity: str,
        key: str,
        ttl: float,
        load: Callable[[], Awaitable[T]],
        pack: Callable[[T], Any],
        unpack: Callable[[Any], T],
    ) -> T:
        store = self.store
        if store is None:
            return await load()
        if not await self._ready():
            self._count(entity, ERROR)
            return await load()
        generation_key = f"{self._prefix}{entity}:generation"
        try:
            generation, entry = await store.get_many([generation_key, key])
        except REDIS_ERRORS as exc:
            self._failed(entity, exc)
            return await load()
        if generation is not None and entry is not None:
            stored, _, payload = entry.partition(b" ")
            if stored == generation:
                try:
                    found = unpack(orjson.loads(payload))
                except _CODEC_ERRORS:
                    logger.warning("cache entry %s could not be decoded: reading it again", key)
                else:
                    self._count(entity, HIT)
                    return found
        self._count(entity, MISS)
        value = await load()
        if value is None:
            return value
        try:
            encoded = orjson.dumps(pack(value))
            if generation is None:
                # A new generation (or one the store evicted): entries of any earlier one
                # can never match it again.
                generation = _token()
                if not await store.add(generation_key, generation):
                    return value
            await store.set(key, generation + b" " + encoded, ttl=ttl)
        except _CODEC_ERRORS:
            self._count(entity, ERROR)
            logger.warning("a value of %s could not be encoded: not cached", entity)
        except REDIS_ERRORS as exc:
            self._failed(entity, exc)
        return value

    async def _ready(self) -> bool:
        """Whether the store may be used: not failing lately, and told of every write."""
        if self.store is None:
            return False
        if self._down_until is not None:
            if self._clock() < self._down_until:
                return False
            self._down_until = None
        if self._pending:
            stale = {f"{self._prefix}{entity}:generation": _token() for entity in self._pending}
            try:
                await self.store.set_many(stale)
            except REDIS_ERRORS as exc:
                self._failed(None, exc)
                return False
            self._pending.clear()
        return True

    def _failed(self, entity: str | None, exc: Exception) -> None:
        if entity is not None:
            self._count(entity, ERROR)
        if self._down_until is None:
            logger.warning(
                "cache store failed (%s: %s): reading from the database for %.0f s",
                type(exc).__name__,
                exc,
                self._retry_seconds,
            )
        self._down_until = self._clock() + self._retry_seconds

    def _count(self, entity: str, index: int) -> None:
        counts = self._counts.setdefault(entity, [0, 0, 0])  # HIT, MISS, ERROR
        counts[index] += 1


def _scope(owner_id: uuid.UUID | None) -> str:
    return "all" if owner_id is None else str(owner_id)


def _token() -> bytes:
    return secrets.token_hex(8).encode()


# Each value of a row travels with its type, so a cached row is the very row the database
# gave: the same JSON, the same ETag. JSON columns hold only JSON values ("").
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "": lambda value: value,
    "uuid": uuid.UUID,
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "decimal": Decimal,
}


def _typed(value: Any) -> list[Any]:
    if isinstance(value, uuid.UUID):
        return ["uuid", str(value)]
    if isinstance(value, datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    if isinstance(value, Decimal):
        return ["decimal", str(value)]
    return ["", value]


def _pack_row(row: Row | None) -> dict[str, list[Any]]:
    return {name: _typed(value) for name, value in (row or {}).items()}


def _unpack_row(packed: dict[str, list[Any]]) -> Row:
    return {name: _DECODERS[kind](value) for name, (kind, value) in packed.items()}


def _pack_page(page: Page) -> list[Any]:
    rows, after = page
    if isinstance(after, tuple):  # a position (key, id), its values typed as a row's
        after = {"position": [_typed(value) for value in after]}
    return [[_pack_row(row) for row in rows], after]


def _unpack_page(packed: list[Any]) -> Page:
    rows, after = packed
    if isinstance(after, dict):
        after = tuple(_DECODERS[kind](value) for kind, value in after["position"])
    return [_unpack_row(row) for row in rows], after


def create_cache(settings: Settings, redis: Redis | None) -> Cache:
    """The cache ``settings`` ask for: off, in ``redis`` (the app's client), or in process."""
    prefix = f"{settings.cache_prefix}:cache"
    if not settings.cache_enabled:
        return Cache(None, prefix=prefix)
    if redis is not None:
        return Cache(RedisStore(redis), prefix=prefix, backend="redis")
    return Cache(MemoryStore(max_entries=settings.cache_max_entries), prefix=prefix)


_DISABLED = Cache(None, prefix="disabled")
# The cache of the request being served (RequestContextMiddleware sets it).
current_cache: ContextVar[Cache] = ContextVar("cache", default=_DISABLED)


def current() -> Cache:
    """The cache of the app serving this request (a disabled one outside requests)."""
    return current_cache.get()


@contextmanager
def use(cache: Cache) -> Iterator[Cache]:
    """Make ``cache`` the current one inside the block."""
    token = current_cache.set(cache)
    try:
        yield cache
    finally:
        current_cache.reset(token)
