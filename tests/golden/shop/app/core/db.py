"""The database engines: async SQLAlchemy on SQLite (default) or PostgreSQL (asyncpg).

Writes go to the primary; with ``DATABASE_REPLICA_URL`` set, read-only requests use a
second engine on the replica (see ``app.api.deps.get_db``). On PostgreSQL, read-only
requests run in autocommit: a single SELECT needs no BEGIN and ROLLBACK around it. On a
SQLite file, read-only requests read through the ``sqlite3`` module directly, on the
event loop's thread (``create_inline_read_engine``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app.core.config import Settings


def create_engine(settings: Settings, *, url: str | None = None) -> AsyncEngine:
    """An engine for ``url`` (by default ``settings.database_url``), pooled per settings.

    Statement parameters are kept out of error messages and logs (they may hold password
    hashes); SQLite gets foreign keys and WAL turned on.
    """
    url = url or settings.database_url
    if url.startswith("sqlite"):
        engine = create_async_engine(url, hide_parameters=True, execution_options=direct(settings))
        event.listen(engine.sync_engine, "connect", sqlite_pragmas(settings))
        return engine
    # No pre-ping: it costs a round trip per checkout. A connection the server closed
    # fails one statement, and SQLAlchemy then discards the pool's stale connections;
    # pool_recycle retires connections before idle timeouts of proxies and servers.
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        hide_parameters=True,
        connect_args=_postgresql_timeouts(settings),
        # enqueue() reads which engine runs the jobs from the connection it is given.
        execution_options={**direct(settings), "jobs_engine": settings.jobs_engine},
    )


# The engines' execution option that lets prebuilt reads skip SQLAlchemy's execution
# layer (app.fastpath.reads): the fast path's part in the database, on with FAST_PATH.
DIRECT_READS = "direct_reads"


def direct(settings: Settings) -> dict[str, Any]:
    """The execution options of an engine of ``settings``: direct reads or not."""
    return {DIRECT_READS: settings.fast_path}


def _postgresql_timeouts(settings: Settings) -> dict[str, Any]:
    """asyncpg's connect timeout, and the statement limit on both sides: the driver's
    (``command_timeout``, which also covers a server that stopped answering) and the
    server's (``statement_timeout``, which frees the backend of a statement given up)."""
    timeouts: dict[str, Any] = {"timeout": settings.db_connect_timeout}
    if settings.db_statement_timeout:
        timeouts["command_timeout"] = settings.db_statement_timeout
        milliseconds = round(settings.db_statement_timeout * 1000)
        timeouts["server_settings"] = {"statement_timeout": str(milliseconds)}
    return timeouts


def create_read_engine(settings: Settings, primary: AsyncEngine) -> AsyncEngine:
    """The engine of read-only requests: the replica's when ``DATABASE_REPLICA_URL`` is set,
    else ``primary`` itself (so callers compare with ``is`` before disposing it)."""
    if settings.database_replica_url is None:
        return primary
    return create_engine(settings, url=settings.database_replica_url)


class FairCheckout:
    """Requests take pooled connections in the order they asked for them, and hand them
    straight on to the next request waiting.

    SQLAlchemy's async pool hands a returned connection to whichever coroutine asks
    next, and a waiter that loses that race goes back to the end of the queue: with
    more requests in flight than connections, a few wait far longer than the rest.
    Requests pass this gate first, first come first served, with as many places as the
    pool has connections. Measured on the blog example (64 connections over a pool of
    20, PostgreSQL): at the same throughput, p99 of a list page 143 -> 96 ms, of a
    create 125 -> 79 ms. Waiting longer than ``DB_POOL_TIMEOUT`` fails as the pool's
    own wait does.

    A request that ends without an error gives its connection, still checked out, to the first request waiting if that one asked for
    a connection of the same engine (read-only requests use the autocommit one, so a
    read never gets a write's connection, nor the reverse); whatever transaction it
    left open is rolled back first, as the pool does on a return. Otherwise the
    connection goes back to the pool and its place to the next request. A checkout and
    a return through SQLAlchemy's pool cost 50 to 75 us of CPU, more than a read by
    key. A connection is handed on for ``HOLD_SECONDS`` at most, then goes back to the
    pool (which recycles connections on checkout); one that was closed or lost its
    server never is. Nothing is held while no one waits.
    """

    HOLD_SECONDS = 10.0

    def __init__(self, settings: Settings) -> None:
        self.places = settings.db_pool_size + settings.db_max_overflow
        self.timeout = settings.db_pool_timeout
        self._free = self.places
        # (waiter, the engine whose connection it takes over)
        self._waiters: deque[tuple[asyncio.Future[AsyncConnection | None], Any]] = deque()
        self._since: dict[AsyncConnection, float] = {}  # when each held connection left the pool

    @asynccontextmanager
    async def connect(self, engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
        """A connection of ``engine``, once every earlier request has had one."""
        connection = await self._take(engine)
        if connection is None:
            try:
                connection = await engine.connect()
            except BaseException:
                self._pass_place()
                raise
            self._since[connection] = time.monotonic()
        try:
            yield connection
        except BaseException:
            await self._give(connection, None)
            raise
        await self._give(connection, engine)

    async def _take(self, engine: AsyncEngine) -> AsyncConnection | None:
        """A place (``None``), or a connection of ``engine`` handed on with its place."""
        if self._free and not self._waiters:
            self._free -= 1
            return None
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[AsyncConnection | None] = loop.create_future()
        entry = (waiter, engine)
        self._waiters.append(entry)
        # A timer on the future itself: asyncio.timeout() costs several times more.
        expiry = loop.call_later(self.timeout, _expire, waiter)
        try:
            return await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                # Given a place or a connection just as the wait ended: pass it on.
                await self._give(waiter.result(), None)
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(entry)
            if isinstance(exc, TimeoutError):
                raise PoolTimeout(
                    f"no database connection within {self.timeout:g} s ({self.places} in use)"
                ) from None
            raise
        finally:
            expiry.cancel()

    async def _give(self, connection: AsyncConnection | None, engine: AsyncEngine | None) -> None:
        """Hand ``connection`` to the first waiter if it waits for ``engine``'s (``None``:
        to none), else return it to the pool and pass its place on."""
        placed = False
        try:
            if connection is not None and engine is not None:
                try:
                    if not self._reusable(connection):
                        engine = None
                    elif connection.in_transaction():  # in autocommit, no round trip
                        await connection.rollback()
                except Exception:
                    engine = None
            while True:
                waiter = self._first_waiter()
                if connection is not None and (
                    engine is None or waiter is None or waiter[1] is not engine
                ):
                    closing, connection = connection, None
                    # Shielded, as SQLAlchemy closes: a cancelled request still returns it.
                    await asyncio.shield(self._close(closing))
                    continue  # who waits may have changed meanwhile
                placed = True
                if waiter is None:
                    self._free += 1
                else:
                    self._waiters.popleft()
                    waiter[0].set_result(connection)
                return
        finally:
            if not placed:  # cancelled on the way: the place still goes on
                self._pass_place()
                if connection is not None:
                    await asyncio.shield(self._close(connection))

    def _pass_place(self) -> None:
        """Pass on the place of a connection that could not be opened."""
        waiter = self._first_waiter()
        if waiter is None:
            self._free += 1
        else:
            self._waiters.popleft()
            waiter[0].set_result(None)

    def _first_waiter(self) -> tuple[asyncio.Future[AsyncConnection | None], Any] | None:
        while self._waiters and self._waiters[0][0].done():
            self._waiters.popleft()  # timed out or cancelled
        return self._waiters[0] if self._waiters else None

    def _reusable(self, connection: AsyncConnection) -> bool:
        if connection.closed or connection.invalidated:
            return False
        if time.monotonic() - self._since.get(connection, 0.0) > self.HOLD_SECONDS:
            return False
        return not _driver_closed(connection)

    async def _close(self, connection: AsyncConnection) -> None:
        """Back to the pool; a connection whose server went away is discarded instead."""
        self._since.pop(connection, None)
        if not connection.closed and not connection.invalidated and _driver_closed(connection):
            await connection.invalidate()
        await connection.close()


def _expire(waiter: asyncio.Future[Any]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


def _driver_closed(connection: AsyncConnection) -> bool:
    """Whether the driver's connection under ``connection`` is closed (asyncpg says so;
    reads made straight through the driver leave SQLAlchemy unaware)."""
    sync = connection.sync_connection
    is_closed = getattr(sync.connection.driver_connection, "is_closed", None) if sync else None
    return bool(is_closed()) if callable(is_closed) else False


def reads_in_autocommit(engine: AsyncEngine) -> AsyncEngine:
    """``engine`` for read-only requests: in autocommit on PostgreSQL, unchanged on SQLite.

    The same pool, without the BEGIN and ROLLBACK round trips around each request's
    reads. SQLite connections already begin lazily, so they stay as they are.
    """
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def create_inline_read_engine(settings: Settings) -> Engine | None:
    """A synchronous engine on the SQLite file read-only requests read (the replica's,
    if one is set), for those requests; ``None`` for PostgreSQL and in-memory databases.

    Reading a row by key from SQLite takes microseconds; aiosqlite hands every statement
    to a worker thread and back, which costs many times more than the query. Reads run
    inline instead, blocking the event loop for the microseconds they take. In WAL mode a
    reader never waits for a lock, so a read cannot stall the loop behind a writer.
    Writes stay on aiosqlite: a write may wait for the file lock (``busy_timeout``), and
    must not wait on the loop that the lock holder needs to commit.
    """
    path = sqlite_file(settings.database_replica_url or settings.database_url)
    if path is None:
        return None
    engine = create_sync_engine(
        "sqlite+pysqlite:///" + path, hide_parameters=True, execution_options=direct(settings)
    )
    event.listen(engine, "connect", sqlite_pragmas(settings))
    return engine


def sqlite_file(url: str) -> str | None:
    """The path (and query) of the SQLite file ``url`` names; ``None`` for PostgreSQL and
    in-memory databases."""
    path = url.partition(":///")[2]
    if not url.startswith("sqlite") or path in ("", ":memory:") or "mode=memory" in url:
        return None
    return path


class InlineConnections:
    """Connections of the inline read engine, kept open from one read-only request to the
    next: a request's reads run to completion on the event loop's thread, so a handful
    serve them all. A checkout and a return through the engine's pool cost about 13 us of
    CPU, a tenth of a GET. At most ``KEEP`` wait open; one that failed or was closed is
    not kept, and disposing of the engine closes them."""

    KEEP = 4

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._idle: list[Connection] = []
        event.listen(engine, "engine_disposed", self._disposed)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """An open connection of the engine, for one request."""
        connection = self._idle.pop() if self._idle else self.engine.connect()
        try:
            yield connection
        except BaseException:
            connection.close()
            raise
        if len(self._idle) >= self.KEEP or connection.closed or connection.invalidated:
            connection.close()
            return
        if connection.in_transaction():  # SQLAlchemy's own: sqlite3 began none for reads
            connection.rollback()
        self._idle.append(connection)

    def close(self) -> None:
        """Close the connections kept open."""
        while self._idle:
            self._idle.pop().close()

    def _disposed(self, _engine: Engine) -> None:
        self.close()


class InlineConnection:
    """The part of :class:`~sqlalchemy.ext.asyncio.AsyncConnection` that the repositories
    use (``execute``, ``scalar``, ``commit``, ``rollback``, ``dialect``), over a
    synchronous connection: each call runs to completion without suspending."""

    def __init__(self, connection: Connection) -> None:
        self.sync_connection = connection
        self.dialect = connection.dialect

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        return self.sync_connection.execute(statement, parameters)

    async def scalar(self, statement: Any, parameters: Any = None) -> Any:
        return self.sync_connection.scalar(statement, parameters)

    async def commit(self) -> None:
        self.sync_connection.commit()

    async def rollback(self) -> None:
        self.sync_connection.rollback()


_SYNCHRONOUS = {"normal": "PRAGMA synchronous=NORMAL", "full": "PRAGMA synchronous=FULL"}


def sqlite_pragmas(settings: Settings) -> Callable[[Any, Any], None]:
    """What every SQLite connection is told when it opens (a ``connect`` listener)."""
    synchronous = _SYNCHRONOUS[settings.sqlite_synchronous]

    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        # SQLite leaves foreign keys off unless asked on every connection; WAL lets readers
        # proceed while one writer commits, and busy_timeout waits for a lock instead of
        # failing (the write path of app.core.sqlite_writer waits without it).
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        # With WAL, NORMAL never corrupts the database, and a commit survives the process
        # being killed; only a power loss may undo the last commits. FULL also syncs the
        # log on every commit (SQLITE_SYNCHRONOUS=full).
        cursor.execute(synchronous)
        cursor.close()

    return pragmas
