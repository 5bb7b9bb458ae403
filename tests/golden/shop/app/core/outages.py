"""Outages of a dependency, told apart from bugs, and logged without flooding the log.

A database that is down, restarting, frozen or out of connections fails every request
the same way: the client gets ``503 SERVICE_UNAVAILABLE`` with ``Retry-After``
(:func:`unavailable` decides), and the log gets one line per kind of failure and
interval, with how many times it repeated (:class:`RepeatedFailures`), not a traceback
per request.
"""

from __future__ import annotations

import asyncio
import contextvars
import errno
import logging
import socket
import sqlite3
import time
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import InterfaceError as DriverInterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeout

__all__ = ["REPEAT_INTERVAL", "RepeatedFailures", "summary", "unavailable"]

# Seconds during which repeats of a failure logged once are only counted.
REPEAT_INTERVAL = 10.0
# SQLSTATE classes of a server that cannot serve now: connection exceptions (08),
# insufficient resources (53: too many connections, disk full) and operator
# intervention (57: statement timeout, shutdown, starting up).
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")
# What a socket says when the server is not there (errno None: asyncio's "Multiple
# exceptions" of a connect to every address of a host).
_NETWORK_ERRNOS = frozenset(
    {None, errno.ECONNREFUSED, errno.ECONNRESET, errno.EHOSTUNREACH, errno.ENETUNREACH,
     errno.ETIMEDOUT, errno.EPIPE, errno.ECONNABORTED}
)  # fmt: skip
# SQLite's words for a file it cannot take now (another writer holds it past busy_timeout).
_SQLITE_BUSY = ("database is locked", "database table is locked", "unable to open database file")


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it wraps) says the database cannot serve right now,
    rather than that the request or the code is wrong."""
    for error in _chain(exc):
        if isinstance(error, PoolTimeout | DriverInterfaceError | ConnectionError | TimeoutError):
            return True
        if isinstance(error, socket.gaierror):
            return True
        if isinstance(error, OSError) and error.errno in _NETWORK_ERRNOS:
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, sqlite3.OperationalError) and str(error).startswith(_SQLITE_BUSY):
            return True
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES:
            return True
        # asyncpg's own InterfaceError (a closed connection) reaches us unwrapped at times.
        if type(error).__name__ == "InterfaceError" and "closed" in str(error):
            return True
    return False


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, the driver error SQLAlchemy wraps (``orig``) and the causes, each once."""
    found: list[BaseException] = []
    pending = [exc]
    while pending and len(found) < 16:
        error = pending.pop()
        if any(error is seen for seen in found):
            continue
        found.append(error)
        for inner in (getattr(error, "orig", None), error.__cause__, error.__context__):
            if isinstance(inner, BaseException):
                pending.append(inner)
    return found


def summary(exc: BaseException) -> str:
    """One line naming the error: its type and the first line of its message."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


class RepeatedFailures:
    """Logs each kind of failure once per ``interval``, then how often it repeated.

    The first occurrence is logged at once (with its traceback when asked); the same
    failure again within the interval only counts; at the end of the interval one line
    says how many times it happened, and the count starts again. A storm of identical
    failures writes two lines per interval instead of one traceback per request.
    """

    MAX_KINDS = 256  # past this many kinds at once, every failure is logged

    def __init__(
        self,
        logger: logging.Logger,
        *,
        interval: float = REPEAT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.interval = interval
        self._clock = clock
        # kind -> (when its interval began, repeats counted since)
        self._kinds: dict[str, tuple[float, int]] = {}

    def failed(self, message: str, exc: BaseException, *, traceback: bool = False) -> None:
        """Log ``message`` about ``exc``, unless the same failure was logged in this interval."""
        kind = f"{message} ({summary(exc)})"
        now = self._clock()
        seen = self._kinds.get(kind)
        if seen is not None and now - seen[0] < self.interval:
            self._kinds[kind] = (seen[0], seen[1] + 1)
            return
        if seen is not None:
            self._report(kind, seen[1])
        if len(self._kinds) >= self.MAX_KINDS:
            self._flush()
        self._kinds[kind] = (now, 0)
        self.logger.error("%s", kind, exc_info=exc if traceback else None)
        self._report_later(kind, now)

    def _report_later(self, kind: str, began: float) -> None:
        # The count of repeats is logged when the interval ends, even if no failure
        # follows; outside an event loop it waits for the next failure of its kind.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        # In a context of its own: the line belongs to no single request.
        loop.call_later(
            self.interval, self._interval_ended, kind, began, context=contextvars.Context()
        )

    def _interval_ended(self, kind: str, began: float) -> None:
        seen = self._kinds.get(kind)
        if seen is None or seen[0] != began:
            return
        del self._kinds[kind]
        self._report(kind, seen[1])

    def _report(self, kind: str, repeats: int) -> None:
        if repeats:
            self.logger.error("%s: repeated %d times in %g s", kind, repeats, self.interval)

    def _flush(self) -> None:
        for kind, (_began, repeats) in self._kinds.items():
            self._report(kind, repeats)
        self._kinds.clear()
