"""On a SQLite file, write requests queue for the process's one write connection
(app.core.sqlite_writer): never two writers in the process, never a sleep in SQLite's
busy handler on the event loop, another process's lock waited for asynchronously."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.core.sqlite_writer import SQLiteWriter, WriteConnection, create_sqlite_writer
from tests.conftest import DATABASE_URL, make_settings

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not DATABASE_URL.startswith("sqlite"), reason="SQLite's write path"),
]


def on_file(path: Path, **overrides: Any) -> SQLiteWriter:
    """A write path on a new file with one table ``t`` (``id``, ``name``)."""
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")  # as the app's migrations leave it
        setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
    settings = make_settings(database_url=f"sqlite+aiosqlite:///{path}", **overrides)
    writer = create_sqlite_writer(settings)
    assert writer is not None
    return writer


@pytest.fixture
async def writer(tmp_path: Path) -> AsyncIterator[SQLiteWriter]:
    own = on_file(tmp_path / "writes.db", db_pool_timeout=1)
    yield own
    own.engine.dispose()


@pytest.fixture
async def grouped(tmp_path: Path) -> AsyncIterator[SQLiteWriter]:
    """A write path that syncs every commit to disk, and so commits in groups."""
    own = on_file(tmp_path / "grouped.db", db_pool_timeout=1, sqlite_synchronous="full")
    assert own.group_commit
    yield own
    own.engine.dispose()


def add(name: str) -> Any:
    return text("INSERT INTO t (name) VALUES (:name)").bindparams(name=name)


NAMES = select(text("name")).select_from(text("t")).order_by(text("id"))
PASSWORD = "T0&r correct horse battery staple"  # passes the spec's password policy


def names(writer: SQLiteWriter) -> list[str]:
    with writer.engine.connect() as connection:
        return list(connection.execute(NAMES).scalars())


def other_process(writer: SQLiteWriter) -> sqlite3.Connection:
    """A connection of its own on the file, as another process would have."""
    return sqlite3.connect(writer.engine.url.database or "", isolation_level=None)


def test_postgresql_and_memory_keep_the_pooled_connections() -> None:
    url = "postgresql+asyncpg://app@127.0.0.1/app"
    assert create_sqlite_writer(make_settings(database_url=url)) is None
    assert create_sqlite_writer(make_settings(database_url="sqlite+aiosqlite://")) is None


async def test_writes_take_the_write_connection_in_the_order_they_asked(
    writer: SQLiteWriter,
) -> None:
    order: list[str] = []

    async def write(name: str) -> None:
        async with writer.connect() as db:
            await db.execute(add(name))
            order.append(name)
            await asyncio.sleep(0.005)  # holds it while suspended: the others still wait
            await db.commit()

    async with writer.connect() as first:
        await first.execute(add("first"))
        waiting = [asyncio.create_task(write(name)) for name in "abcd"]
        await asyncio.sleep(0.05)
        assert order == []
        await first.commit()
    await asyncio.gather(*waiting)
    assert order == ["a", "b", "c", "d"]
    assert names(writer) == ["first", "a", "b", "c", "d"]


async def test_reads_before_the_first_write_do_not_wait_nor_see_uncommitted_writes(
    writer: SQLiteWriter,
) -> None:
    async with writer.connect() as holder, writer.connect() as reader:
        await holder.execute(add("pending"))
        assert holder.in_transaction()
        # Answered at once (no turn taken), without the other request's pending row.
        assert list((await reader.execute(NAMES)).scalars()) == []
        assert not reader.in_transaction()
        await holder.commit()
        assert list((await reader.execute(NAMES)).scalars()) == ["pending"]


async def test_a_failed_request_rolls_back_its_own_writes_only(writer: SQLiteWriter) -> None:
    async with writer.connect() as db:
        await db.execute(add("kept"))
        await db.commit()

    async def fail_after_writing() -> None:
        async with writer.connect() as db:
            await db.execute(add("lost"))
            raise RuntimeError("the request failed before its commit")

    with pytest.raises(RuntimeError):
        await fail_after_writing()
    async with writer.connect() as db:
        with pytest.raises(OperationalError):  # an error the service lets through
            await db.execute(text("INSERT INTO missing VALUES (1)"))
        await db.rollback()
        await db.execute(add("after"))
        await db.commit()
    assert names(writer) == ["kept", "after"]


async def test_a_request_waits_for_its_turn_no_longer_than_the_pool_timeout(
    writer: SQLiteWriter,
) -> None:
    writer.timeout = 0.05
    async with writer.connect() as holder:
        await holder.execute(add("held"))
        async with writer.connect() as late:
            with pytest.raises(PoolTimeout, match=r"SQLite write connection within 0\.05 s"):
                await late.execute(add("late"))
        await holder.commit()
    async with writer.connect() as db:  # the turn was not lost
        await db.execute(add("next"))
        await db.commit()
    assert names(writer) == ["held", "next"]


async def test_a_request_cancelled_while_it_waits_passes_its_turn_on(
    writer: SQLiteWriter,
) -> None:
    async def write(name: str) -> None:
        async with writer.connect() as db:
            await db.execute(add(name))
            await db.commit()

    async with writer.connect() as holder:
        await holder.execute(add("held"))
        cancelled = asyncio.create_task(write("cancelled"))
        waiting = asyncio.create_task(write("waiting"))
        await asyncio.sleep(0.01)
        cancelled.cancel()
        await asyncio.sleep(0.01)
        await holder.commit()
    await waiting
    assert cancelled.cancelled()
    assert names(writer) == ["held", "waiting"]


async def test_another_process_holding_the_lock_is_waited_for_without_blocking_the_loop(
    writer: SQLiteWriter,
) -> None:
    other = other_process(writer)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t (name) VALUES ('other')")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    asyncio.get_running_loop().call_later(0.5, other.execute, "COMMIT")
    try:
        async with writer.connect() as db:
            await db.execute(add("mine"))
            await db.commit()
    finally:
        ticker.cancel()
        other.close()
    # The loop kept running while the write waited (about 50 ticks on an idle machine; a
    # busy one may run fewer): a busy handler would have held it, for one tick at most.
    assert ticks >= 3
    assert names(writer) == ["other", "mine"]


async def test_a_lock_held_longer_than_the_busy_timeout_fails_the_write(
    writer: SQLiteWriter,
) -> None:
    writer.busy_seconds = 0.1
    other = other_process(writer)
    other.execute("BEGIN IMMEDIATE")
    try:
        async with writer.connect() as db:
            with pytest.raises(OperationalError, match="database is locked"):
                await db.execute(add("mine"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    async with writer.connect() as db:  # the turn was not lost
        await db.execute(add("later"))
        await db.commit()
    assert names(writer) == ["later"]


async def test_a_commit_that_fails_rolls_back_and_passes_the_turn_on(
    writer: SQLiteWriter,
) -> None:
    with writer.engine.begin() as setup:
        setup.exec_driver_sql(
            "CREATE TABLE child (id INTEGER PRIMARY KEY,"
            " t_id INTEGER REFERENCES t (id) DEFERRABLE INITIALLY DEFERRED)"
        )
    async with writer.connect() as db:
        await db.execute(text("INSERT INTO child (t_id) VALUES (42)"))  # checked at COMMIT
        with pytest.raises(Exception, match="FOREIGN KEY"):
            await db.commit()
        assert not db.in_transaction()
        await db.execute(add("after"))
        await db.commit()
    assert names(writer) == ["after"]


async def test_concurrent_write_requests_share_one_connection_and_never_wait_in_sqlite(
    app: FastAPI,
) -> None:
    """Before: each write request wrote on a pooled connection of its own and, finding the
    file locked by another, slept in SQLite's busy handler (p95 of POST 455 ms)."""
    engines = [app.state.engine.sync_engine]
    if app.state.sqlite_writer is not None:
        engines.append(app.state.sqlite_writer.engine)
    writes: list[tuple[int, str]] = []

    def record(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("SELECT"):
            writes.append((id(connection.connection.driver_connection), statement))

    for target in engines:
        event.listen(target, "before_cursor_execute", record)
    try:
        responses = await asyncio.gather(*(register(app, n) for n in range(16)))
    finally:
        for target in engines:
            event.remove(target, "before_cursor_execute", record)
    assert [r.status_code for r in responses] == [201] * 16
    assert len({connection for connection, _ in writes}) == 1
    assert sum(statement == "BEGIN IMMEDIATE" for _, statement in writes) == 16


async def register(app: FastAPI, n: int) -> httpx.Response:
    # A client address each: registration is rate limited per address.
    transport = httpx.ASGITransport(app=app, client=(f"10.0.0.{n + 1}", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        body = {"email": f"writer-{n}@example.com", "password": PASSWORD}
        return await http.post("/api/v1/auth/register", json=body)


async def test_with_full_sync_requests_queued_together_share_one_commit(
    grouped: SQLiteWriter,
) -> None:
    commits: list[object] = []
    answered: list[tuple[str, list[str]]] = []

    async def write(name: str, *, fail: bool = False) -> None:
        async with grouped.connect() as db:
            await db.execute(add(name))
            if fail:
                raise RuntimeError("this request fails after its write")
            await db.commit()
            answered.append((name, names(grouped)))  # what the file holds by then

    async with grouped.connect() as first:
        await first.execute(add("first"))
        event.listen(grouped.engine, "commit", commits.append)
        queued = [
            asyncio.create_task(write("a")),
            asyncio.create_task(write("b", fail=True)),
            asyncio.create_task(write("c")),
        ]
        await asyncio.sleep(0.02)
        await first.commit()
        answered.append(("first", names(grouped)))
    results = await asyncio.gather(*queued, return_exceptions=True)
    assert [type(result) for result in results] == [type(None), RuntimeError, type(None)]
    # One commit for the four; the failed request undid its own write only.
    assert len(commits) == 1
    assert names(grouped) == ["first", "a", "c"]
    # Every request was answered after the commit that holds its write.
    assert sorted(name for name, _ in answered) == ["a", "c", "first"]
    assert all(seen == ["first", "a", "c"] for _, seen in answered)

    async with grouped.connect() as alone:  # the next group opens a new transaction
        await alone.execute(add("alone"))
        await alone.commit()
    assert len(commits) == 2
    assert names(grouped) == ["first", "a", "c", "alone"]


async def test_with_full_sync_a_failed_commit_fails_every_request_of_its_group(
    grouped: SQLiteWriter,
) -> None:
    with grouped.engine.begin() as setup:
        setup.exec_driver_sql(
            "CREATE TABLE child (id INTEGER PRIMARY KEY,"
            " t_id INTEGER REFERENCES t (id) DEFERRABLE INITIALLY DEFERRED)"
        )

    async def write(statement: Any) -> None:
        async with grouped.connect() as db:
            await db.execute(statement)
            await db.commit()

    async with grouped.connect() as first:
        await first.execute(add("first"))
        queued = [
            asyncio.create_task(write(text("INSERT INTO child (t_id) VALUES (42)"))),
            asyncio.create_task(write(add("other"))),
        ]
        await asyncio.sleep(0.02)
        with pytest.raises(Exception, match="FOREIGN KEY"):
            await first.commit()
    results = await asyncio.gather(*queued, return_exceptions=True)
    assert all("FOREIGN KEY" in str(result) for result in results)
    assert names(grouped) == []
    await write(add("after"))  # the connection went on
    assert names(grouped) == ["after"]


def test_the_write_connection_never_sleeps_in_the_busy_handler(tmp_path: Path) -> None:
    writer = create_sqlite_writer(
        make_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}")
    )
    assert writer is not None
    try:
        connection = writer._open()
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 0
        # Its reads keep waiting for a lock as every other connection does.
        with writer.engine.connect() as reads:
            assert reads.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    finally:
        writer.engine.dispose()


def test_writes_are_synced_as_sqlite_synchronous_says(tmp_path: Path) -> None:
    for setting, level in (("normal", 1), ("full", 2)):
        url = f"sqlite+aiosqlite:///{tmp_path / (setting + '.db')}"
        writer = create_sqlite_writer(make_settings(database_url=url, sqlite_synchronous=setting))
        assert writer is not None
        try:
            assert writer._open().exec_driver_sql("PRAGMA synchronous").scalar() == level
        finally:
            writer.engine.dispose()


def test_write_connection_reports_what_the_repositories_ask(writer: SQLiteWriter) -> None:
    db = WriteConnection(writer)
    assert db.dialect.name == "sqlite"
    assert db.sync_connection is None  # no write yet: reads never skip SQLAlchemy
    assert "jobs_engine" not in db.engine.get_execution_options()  # the table engine


async def test_reads_before_the_first_write_may_skip_sqlalchemy(writer: SQLiteWriter) -> None:
    async with writer.connect() as db:
        driver = db.raw_reads()
        assert isinstance(driver, sqlite3.Connection)
        assert driver.execute("SELECT count(*) FROM t").fetchone() == (0,)
        await db.execute(add("mine"))
        assert db.raw_reads() is None  # in its transaction: through the write connection
        await db.commit()
        assert driver.execute("SELECT count(*) FROM t").fetchone() == (1,)

        def listener(*_args: Any) -> None:
            pass

        event.listen(writer.engine, "before_cursor_execute", listener)
        try:
            assert db.raw_reads() is None  # every statement goes where a listener sees it
        finally:
            event.remove(writer.engine, "before_cursor_execute", listener)
