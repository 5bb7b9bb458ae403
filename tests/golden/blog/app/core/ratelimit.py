"""A fixed-window rate limiter kept in process memory.

Each worker process counts on its own, so with N workers a client gets up to N times
the limit; a shared store (Redis) is the step up when that matters.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

_PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}
_MAX_KEYS = 10_000


class RateLimiter:
    """At most ``limit`` hits per key in each window of ``period`` seconds."""

    def __init__(
        self, limit: int, period: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.period = period
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}

    @classmethod
    def parse(cls, rate: str) -> RateLimiter:
        """A limiter for a rate such as ``5/minute``."""
        match = re.fullmatch(r"(\d+)/(second|minute|hour|day)", rate)
        if match is None:
            raise ValueError(f"not a rate: {rate!r}")
        return cls(int(match.group(1)), _PERIODS[match.group(2)])

    def hit(self, key: str) -> float | None:
        """Count one hit; ``None`` if allowed, else the seconds until the window resets."""
        now = self._clock()
        start, count = self._windows.get(key, (now, 0))
        if now - start >= self.period:
            start, count = now, 0
        if count >= self.limit:
            return start + self.period - now
        self._windows[key] = (start, count + 1)
        if len(self._windows) > _MAX_KEYS:
            self._forget_expired(now)
        return None

    def reset(self) -> None:
        """Forget every count."""
        self._windows.clear()

    def _forget_expired(self, now: float) -> None:
        expired = [k for k, (start, _) in self._windows.items() if now - start >= self.period]
        for key in expired:
            del self._windows[key]
