"""Rate limits: fixed windows counted in process, or in Redis when ``REDIS_URL`` is set.

A window starts at a key's first hit and lasts the rate's period; within it the key gets
``limit`` hits. In process, each worker counts on its own, so with N workers a client gets
up to N times the limit; Redis shares the counts between every worker and instance. When
Redis cannot be reached the limiter counts in process and logs a warning: an outage of
Redis weakens the limits for a while but never fails a request.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv6Address, ip_address, ip_network
from typing import Literal, Protocol

from redis.asyncio import Redis

from app.core.redis import REDIS_ERRORS, RETRY_SECONDS, connect

logger = logging.getLogger(__name__)

Kind = Literal["read", "write"]
_PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}
# Windows kept per rate in process; the settings' RATE_LIMIT_MAX_KEYS overrides it.
DEFAULT_MAX_KEYS = 100_000
# After a Redis failure, count in process for this long before trying Redis again, so an
# outage costs one failed call, not one per request.
REDIS_RETRY_SECONDS = RETRY_SECONDS
# Atomic: count the hit and start the window on the first one. PTTL is -1 only for a key
# that lost its expiry, which would otherwise block its client for good.
_TAKE = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


@dataclass(frozen=True)
class Rate:
    """``limit`` hits per ``period`` seconds."""

    limit: int
    period: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        """The rate of a text such as ``5/minute``."""
        match = re.fullmatch(r"(\d+)/(second|minute|hour|day)", text)
        if match is None:
            raise ValueError(f"not a rate: {text!r}")
        return cls(int(match.group(1)), _PERIODS[match.group(2)])


@dataclass(frozen=True)
class Usage:
    """One hit, counted: whether it is allowed and what is left of the window."""

    limit: int
    remaining: int
    reset: float  # seconds until the window starts again
    allowed: bool

    def headers(self) -> list[tuple[bytes, bytes]]:
        """The ``RateLimit-*`` response headers (IETF draft), as raw ASGI headers."""
        return [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(max(1, math.ceil(self.reset))).encode()),
        ]


class RateLimiter:
    """At most ``limit`` hits per key in each window of ``period`` seconds, in memory.

    Windows are kept in the order they started, so the expired ones are always at the
    front: each hit drops those first, and the work stays constant per hit however many
    clients there are. At most ``max_keys`` windows are kept; a new key past that drops
    the oldest live window, the one nearest its end anyway. Resetting one client's
    limit that way takes ``max_keys`` other clients within one window, which is why
    clients are addresses (IPv6 networks of /64, see :func:`address_key`) or users.
    """

    def __init__(
        self,
        limit: int,
        period: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        self.limit = limit
        self.period = period
        self.max_keys = max_keys
        self._clock = clock
        # key -> (window start, hits), oldest window first
        self._windows: OrderedDict[str, tuple[float, int]] = OrderedDict()

    @classmethod
    def parse(cls, rate: str) -> RateLimiter:
        """A limiter for a rate such as ``5/minute``."""
        parsed = Rate.parse(rate)
        return cls(parsed.limit, parsed.period)

    def __len__(self) -> int:
        """How many windows are kept."""
        return len(self._windows)

    def take(self, key: str) -> Usage:
        """Count one hit of ``key`` unless its window is used up."""
        now = self._clock()
        windows = self._windows
        while windows:
            oldest_key, (oldest_start, _) = next(iter(windows.items()))
            if now - oldest_start < self.period:
                break
            del windows[oldest_key]
        window = windows.get(key)
        if window is None:
            if len(windows) >= self.max_keys:
                windows.popitem(last=False)
            start, count = now, 0
        else:
            start, count = window
        # The window's length less the time spent in it, never more than the period:
        # start + period - now can round to a hair over it, and the header to one more.
        reset = self.period - (now - start)
        if count >= self.limit:
            return Usage(self.limit, 0, reset, allowed=False)
        windows[key] = (start, count + 1)  # a new key goes last: its window is the newest
        return Usage(self.limit, self.limit - count - 1, reset, allowed=True)

    def hit(self, key: str) -> float | None:
        """Count one hit; ``None`` if allowed, else the seconds until the window resets."""
        usage = self.take(key)
        return None if usage.allowed else usage.reset

    def reset(self) -> None:
        """Forget every count."""
        self._windows.clear()


@lru_cache(maxsize=4096)
def address_key(host: str) -> str:
    """Whom an address's limits count: an IPv4 address, or the /64 network of an IPv6 one.

    One IPv6 subscriber is usually given a whole /64 (or more), so counting single IPv6
    addresses would give one client 2**64 budgets. IPv4-mapped IPv6 addresses count as
    their IPv4 address; anything that is not an IP address counts as it is.
    """
    try:
        address = ip_address(host)
    except ValueError:
        return host
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ip_network((address, 64), strict=False))
    return str(address)


class RateLimitStore(Protocol):
    """Where hits are counted."""

    async def take(self, key: str, rate: Rate) -> Usage:
        """Count one hit of ``key`` against ``rate``."""
        ...

    async def reset(self) -> None:
        """Forget every count (tests)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class MemoryStore:
    """Counts in this process: one limiter per rate."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = DEFAULT_MAX_KEYS
    ) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._limiters: dict[Rate, RateLimiter] = {}

    async def take(self, key: str, rate: Rate) -> Usage:
        limiter = self._limiters.get(rate)
        if limiter is None:
            limiter = RateLimiter(
                rate.limit, rate.period, clock=self._clock, max_keys=self._max_keys
            )
            self._limiters[rate] = limiter
        return limiter.take(key)

    async def reset(self) -> None:
        for limiter in self._limiters.values():
            limiter.reset()

    async def close(self) -> None:
        return None


class RedisStore:
    """Counts in Redis, shared by every process that uses the same URL and prefix."""

    def __init__(
        self,
        redis: Redis | str,
        *,
        prefix: str,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        # A URL, or the app's client (which this store then closes).
        self._redis = connect(redis) if isinstance(redis, str) else redis
        self._script = self._redis.register_script(_TAKE)
        self._prefix = f"{prefix}:ratelimit:"
        self._clock = clock
        self._fallback = MemoryStore(clock=clock, max_keys=max_keys)
        self._down_until: float | None = None

    async def take(self, key: str, rate: Rate) -> Usage:
        if self._down_until is not None and self._clock() < self._down_until:
            return await self._fallback.take(key, rate)
        name = f"{self._prefix}{key}:{rate.limit}/{rate.period:g}"
        try:
            count, ttl_ms = await self._script(keys=[name], args=[math.ceil(rate.period * 1000)])
        except REDIS_ERRORS as exc:
            self._down_until = self._clock() + REDIS_RETRY_SECONDS
            logger.warning(
                "Redis is unreachable (%s): counting rate limits in process for %.0f s",
                type(exc).__name__,
                REDIS_RETRY_SECONDS,
            )
            return await self._fallback.take(key, rate)
        if self._down_until is not None:
            self._down_until = None
            logger.warning("Redis is reachable again: rate limits are shared again")
        count = int(count)
        reset = min(int(ttl_ms) / 1000, rate.period)
        return Usage(rate.limit, max(0, rate.limit - count), reset, count <= rate.limit)

    async def reset(self) -> None:
        await self._fallback.reset()
        keys = [key async for key in self._redis.scan_iter(match=f"{self._prefix}*", count=500)]
        if keys:
            await self._redis.delete(*keys)

    async def close(self) -> None:
        await self._redis.aclose()


def create_store(
    redis: Redis | str | None, *, prefix: str, max_keys: int = DEFAULT_MAX_KEYS
) -> RateLimitStore:
    """In Redis when there is one (a client or a URL), else in process."""
    if redis is None or redis == "":
        return MemoryStore(max_keys=max_keys)
    return RedisStore(redis, prefix=prefix, max_keys=max_keys)


class RatePolicy:
    """Which rate applies: each scope's (an entity's) override, else the class default."""

    def __init__(self, *, read: str, write: str, auth: str, overrides: Mapping[str, str]) -> None:
        self.defaults: dict[str, Rate] = {"read": Rate.parse(read), "write": Rate.parse(write)}
        self.auth = Rate.parse(auth)
        self.overrides = {key: Rate.parse(rate) for key, rate in overrides.items()}

    def rate(self, scope: str, kind: Kind) -> Rate:
        """The rate of ``kind`` requests to the routes of ``scope``."""
        return self.overrides.get(f"{scope}.{kind}") or self.defaults[kind]
