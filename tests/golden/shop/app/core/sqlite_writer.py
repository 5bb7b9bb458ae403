"""The write path on a SQLite file: one write connection per process, taken by one
request at a time, first come first served.

SQLite lets one connection write at a time. With a connection per request, a request
that finds the file locked sleeps in SQLite's busy handler (1, 2, 5, 10 ... 100 ms)
and retries, while the lock may have been free for most of that sleep: on the blog
example (32 connections, one worker), POST answered 516 req/s at p50 32 ms but p95
455 ms and p99 998 ms. Queued in the process instead, on the same shared machine,
587 req/s at p50 45 ms, p95 137 ms and p99 211 ms: what is left is waiting for the
CPU, not for the lock. Here a request's writes queue in the process:

* Its reads before its first write (the caller's session, the checks) run at once, each
  on its own, through a read connection (as on PostgreSQL under read committed). They
  take nothing.
* Its first write waits for the write connection, in the order the requests asked
  for it, then opens the transaction with ``BEGIN IMMEDIATE``: the file's write lock is
  taken before anything is read, so the transaction never fails on a stale snapshot.
  Every statement up to the commit uses the write connection.
* Its commit (or rollback, or the end of the request) hands the connection to the next
  request waiting.

Statements run on the event loop's thread: a write takes microseconds, far less than
handing it to a worker thread and back. While the write connection is in one request's
transaction, nothing else in the process writes, so inside the process no statement
ever waits for the lock. Other processes on the same file (several server workers, the
job worker, the CLI) still take the file's lock: ``BEGIN IMMEDIATE`` then fails at once
with SQLITE_BUSY (the write connection's busy timeout is zero, so the loop never sleeps
in SQLite) and is tried again after a short asynchronous sleep, for up to
``BUSY_SECONDS`` (the busy timeout of the other connections), before the request fails
as SQLite does, with "database is locked".

Durability: a request is answered only after the COMMIT that holds its writes returned.
In WAL mode the commit is in the operating system's cache at that point, so it survives
the server being killed; ``SQLITE_SYNCHRONOUS=full`` also syncs the log to disk on every
commit, so it survives a power loss too.

Group commit, with ``SQLITE_SYNCHRONOUS=full`` only: a sync to disk costs far more than
the writes of a request (measured here: a one-row transaction 39 us with NORMAL, 735 us
with FULL; 12 and 22 us per row with 20 rows a commit). Each request then writes inside
a savepoint of a transaction that the requests queued behind it continue: its commit
releases the savepoint and hands the connection on while others wait (up to
``GROUP_LIMIT`` requests); the last one commits the group in a worker thread, and every
request of the group is answered after that commit. A request that fails rolls back to
its savepoint, so only its own writes are undone; a COMMIT that fails fails the whole
group (none of them is answered 2xx). With NORMAL a commit takes microseconds on the
loop's thread, which grouping would not save.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.sql import Select
from sqlalchemy.sql.selectable import CompoundSelect

from app.core.config import Settings
from app.core.db import DIRECT_READS, InlineConnections, direct, sqlite_file, sqlite_pragmas

__all__ = ["SQLiteWriter", "WriteConnection", "create_sqlite_writer"]

# As long as the busy timeout of the other connections on the file (app.core.db).
BUSY_SECONDS = 5.0
# Sleeps between attempts to take the file's write lock from another process.
_FIRST_RETRY = 0.0005
_LAST_RETRY = 0.02
# Group commit: at most this many requests' writes in one transaction.
GROUP_LIMIT = 64


def create_sqlite_writer(settings: Settings) -> SQLiteWriter | None:
    """The write path of a SQLite file (``DATABASE_URL``); ``None`` for PostgreSQL and
    in-memory databases, whose writes keep the pooled connections."""
    path = sqlite_file(settings.database_url)
    if path is None:
        return None
    engine = create_sync_engine(
        "sqlite+pysqlite:///" + path,
        hide_parameters=True,
        # The connections are used on the event loop's thread only, but granian and the
        # tests may start the app on one thread and serve on another.
        connect_args={"check_same_thread": False},
        execution_options=direct(settings),
    )
    event.listen(engine, "connect", sqlite_pragmas(settings))
    event.listen(engine, "connect", _manual_transactions)
    full = settings.sqlite_synchronous == "full"
    return SQLiteWriter(engine, timeout=settings.db_pool_timeout, group_commit=full)


class SQLiteWriter:
    """The process's write connection on the file and the queue of requests waiting for
    it; the read connections that a write request reads through before its first write."""

    def __init__(
        self,
        engine: Engine,
        *,
        timeout: float,
        busy_seconds: float = BUSY_SECONDS,
        group_commit: bool = False,
    ) -> None:
        self.engine = engine
        self.timeout = timeout  # for the write connection, as DB_POOL_TIMEOUT for a pool's
        self.busy_seconds = busy_seconds  # for the file's lock, held by another process
        self.group_commit = group_commit
        self.reads = InlineConnections(engine)
        self._raw_reads: Connection | None = None
        self._connection: Connection | None = None
        self._busy = False
        self._waiters: deque[asyncio.Future[None]] = deque()
        # Group commit: whether a transaction is open on the write connection, and the
        # requests whose writes it holds (savepoints released), waiting for its commit.
        self._open_group = False
        self._group: list[asyncio.Future[None]] = []
        self._committing: set[asyncio.Task[None]] = set()
        event.listen(engine, "engine_disposed", self._disposed)

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[WriteConnection]:
        """A connection for one write request; what it left uncommitted is rolled back."""
        connection = WriteConnection(self)
        try:
            yield connection
        finally:
            connection.close()

    def read(self, statement: Any, parameters: Any) -> Any:
        """The rows of a read made outside any transaction, fetched at once: the read
        connections serve every write request in turn, so none keeps a cursor open."""
        with self.reads.connect() as reads:
            return reads.execute(statement, parameters).freeze()()

    def raw_reads(self) -> sqlite3.Connection | None:
        """sqlite3's connection for one read outside any transaction, run to completion
        at once (``app.fastpath.reads.reader``); ``None`` with the fast path off or while
        something listens for statements."""
        engine = self.engine
        if engine.dispatch.before_cursor_execute or not engine.get_execution_options().get(
            DIRECT_READS
        ):
            return None
        connection = self._raw_reads
        if connection is None or connection.closed or connection.invalidated:
            connection = self._raw_reads = self.engine.connect()
        driver: sqlite3.Connection | None = connection.connection.driver_connection
        return driver

    async def begin(self) -> Connection:
        """The write connection, once every earlier request is done with it, in a
        transaction holding the file's write lock."""
        await self._acquire()
        try:
            connection = self._open()
            if not self._open_group:
                await self._begin_immediate(connection)
                self._open_group = self.group_commit
            if self.group_commit:
                connection.exec_driver_sql("SAVEPOINT request")
            return connection
        except BaseException:
            self.hand_on()
            raise

    async def _begin_immediate(self, connection: Connection) -> None:
        delay = _FIRST_RETRY
        deadline = time.monotonic() + self.busy_seconds
        while True:
            connection.begin()
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as exc:
                connection.rollback()
                if not _busy(exc) or time.monotonic() >= deadline:
                    raise
            # Another process writes: let the loop serve others meanwhile.
            await asyncio.sleep(delay)
            delay = min(delay * 2, _LAST_RETRY)

    async def commit(self, connection: Connection) -> None:
        """Commit the writes of the request holding ``connection``, then hand it on;
        returns once they are in the file."""
        if not self.group_commit:
            try:
                connection.commit()
            except BaseException:
                _roll_back(connection)
                raise
            finally:
                self.hand_on()
            return
        try:
            connection.exec_driver_sql("RELEASE SAVEPOINT request")
        except BaseException:
            self.undo(connection)
            raise
        committed = asyncio.get_running_loop().create_future()
        self._group.append(committed)
        self.hand_on()
        await committed

    def undo(self, connection: Connection) -> None:
        """Roll back the writes of the request holding ``connection`` (its savepoint only,
        with group commit), then hand it on."""
        try:
            if not self.group_commit:
                _roll_back(connection)
                return
            try:
                connection.exec_driver_sql("ROLLBACK TO SAVEPOINT request")
                connection.exec_driver_sql("RELEASE SAVEPOINT request")
            except BaseException as exc:
                # The transaction is lost, and with it the writes of the whole group.
                self._fail_group(exc)
                _roll_back(connection)
                self._open_group = False
                raise
        finally:
            self.hand_on()

    def hand_on(self) -> None:
        """The write connection goes to the next request waiting. With group commit, the
        open transaction goes along while requests wait and the group has room; when no
        one waits, the group is committed first, and the connection handed on after."""
        connection = self._connection
        full = len(self._group) >= GROUP_LIMIT
        if connection is not None and self._group and (full or not self._has_waiters()):
            group, self._group = self._group, []
            self._open_group = False
            commit = self._commit_group(connection, group)
            task = asyncio.get_running_loop().create_task(commit)
            self._committing.add(task)  # a reference, so the task is not collected
            task.add_done_callback(self._committing.discard)
            return
        if self._open_group and not self._group and connection is not None:
            _roll_back(connection)  # an open transaction with nothing in it
            self._open_group = False
        self.release()

    async def _commit_group(
        self, connection: Connection, group: list[asyncio.Future[None]]
    ) -> None:
        try:
            # The sync to disk waits in a worker thread; the loop serves others meanwhile,
            # and the requests that queue for the connection form the next group.
            await asyncio.to_thread(connection.commit)
        except Exception as exc:  # every request of the group gets it
            _roll_back(connection)
            self._group = group
            self._fail_group(exc)
        else:
            for committed in group:
                if not committed.done():
                    committed.set_result(None)
        finally:
            self.release()

    def _fail_group(self, exc: BaseException) -> None:
        group, self._group = self._group, []
        for committed in group:
            if not committed.done():
                committed.set_exception(exc)

    def _has_waiters(self) -> bool:
        while self._waiters and self._waiters[0].done():
            self._waiters.popleft()  # timed out or cancelled
        return bool(self._waiters)

    def release(self) -> None:
        """Hand the write connection on to the first request waiting for it."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # else timed out or cancelled
                waiter.set_result(None)
                return
        self._busy = False

    def close(self) -> None:
        """Close the write connection and the read connections kept open."""
        for connection in (self._connection, self._raw_reads):
            if connection is not None:
                connection.close()
        self._connection = self._raw_reads = None
        self.reads.close()

    async def _acquire(self) -> None:
        if not self._busy and not self._waiters:
            self._busy = True
            return
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        expiry = loop.call_later(self.timeout, _expire, waiter)
        try:
            await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.hand_on()  # handed the connection just as the wait ended: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            if isinstance(exc, TimeoutError):
                raise PoolTimeout(
                    f"no turn on the SQLite write connection within {self.timeout:g} s"
                ) from None
            raise
        finally:
            expiry.cancel()

    def _open(self) -> Connection:
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            if connection is not None:
                connection.close()
            connection = self._connection = self.engine.connect()
            # Never sleep on the loop's thread waiting for another process: begin()
            # waits for the lock asynchronously instead.
            connection.exec_driver_sql("PRAGMA busy_timeout=0")
            connection.commit()
        return connection

    def _disposed(self, _engine: Engine) -> None:
        self.close()


class WriteConnection:
    """The part of :class:`~sqlalchemy.ext.asyncio.AsyncConnection` that the repositories
    and services use, for one write request: reads go to a read connection until the
    first write, which takes the process's write connection (:class:`SQLiteWriter`) until
    the commit or rollback."""

    def __init__(self, writer: SQLiteWriter) -> None:
        self._writer = writer
        self._lane: Connection | None = None  # the write connection, while in a transaction
        self.engine = writer.engine
        self.dialect = writer.engine.dialect

    @property
    def sync_connection(self) -> Connection | None:
        """The write connection while this request holds it (so a read never skips
        SQLAlchemy: see ``app.repositories.base.raw_reader``)."""
        return self._lane

    def in_transaction(self) -> bool:
        return self._lane is not None

    def raw_reads(self) -> sqlite3.Connection | None:
        """sqlite3's connection for a read that skips SQLAlchemy, until the first write."""
        return self._writer.raw_reads() if self._lane is None else None

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        if self._lane is None and _reads_only(statement):
            return self._writer.read(statement, parameters)
        return (await self._write_connection()).execute(statement, parameters)

    async def scalar(self, statement: Any, parameters: Any = None) -> Any:
        return (await self.execute(statement, parameters)).scalar()

    async def commit(self) -> None:
        """Commit this request's writes; it returns once they are in the file."""
        lane, self._lane = self._lane, None
        if lane is None:
            return  # nothing written: the reads ran each on its own
        await self._writer.commit(lane)

    async def rollback(self) -> None:
        self.close()

    def close(self) -> None:
        """Roll back what was not committed and hand the write connection on."""
        lane, self._lane = self._lane, None
        if lane is not None:
            self._writer.undo(lane)

    async def _write_connection(self) -> Connection:
        if self._lane is None:
            self._lane = await self._writer.begin()
        return self._lane


def _reads_only(statement: Any) -> bool:
    return isinstance(statement, Select | CompoundSelect)


def _roll_back(connection: Connection) -> None:
    connection.rollback()
    # A COMMIT that failed (a deferred constraint) leaves SQLite's transaction open while
    # SQLAlchemy's has ended: end it on the driver too.
    driver = connection.connection.driver_connection
    if driver is not None and driver.in_transaction:
        driver.rollback()


def _manual_transactions(dbapi_connection: Any, _record: Any) -> None:
    # sqlite3 would open each transaction itself with a plain (deferred) BEGIN before the
    # first write; SQLiteWriter.begin() opens it with BEGIN IMMEDIATE instead. COMMIT and
    # ROLLBACK still go through sqlite3's commit() and rollback().
    dbapi_connection.isolation_level = None


def _busy(exc: OperationalError) -> bool:
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())
