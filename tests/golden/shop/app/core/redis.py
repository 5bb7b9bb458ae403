"""The Redis client, configured in one place for the rate limits and the cache.

Timeouts are short: a slow or absent Redis must not hold requests up. Callers catch
``REDIS_ERRORS`` and carry on without Redis (in process, or from the database) for
``RETRY_SECONDS``, so an outage costs one failed call, not one per request.
"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError

TIMEOUT_SECONDS = 1.0
RETRY_SECONDS = 30.0
# What a call to an unreachable, slow or failing Redis raises.
REDIS_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)


def connect(url: str) -> Redis:
    """A client of the Redis at ``url`` (it connects on first use)."""
    return Redis.from_url(
        url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )
