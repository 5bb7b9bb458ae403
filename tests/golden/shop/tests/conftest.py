"""Fixtures: a migrated database, the app, an HTTP client, and accounts to call it with.

The database is ``DATABASE_URL`` when set (for PostgreSQL create the database first),
otherwise a SQLite file in a temporary directory. The schema comes from the Alembic
migrations, once per session; every test starts with empty tables and fresh rate limits.
Rate limits are counted in Redis when ``REDIS_URL`` is set, under a prefix of this run.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

_SCRATCH = tempfile.TemporaryDirectory(prefix="shop-tests-")
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{_SCRATCH.name}/test.db"
# Settings() built anywhere in the tests (the CLI, app.main) sees the same database and
# cheap password hashing.
os.environ.update(
    DATABASE_URL=DATABASE_URL,
    ENVIRONMENT="test",
    SECRET_KEY="test-secret-key-not-for-production-0123456789",
    ARGON2_TIME_COST="1",
    ARGON2_MEMORY_COST="8",
    ARGON2_PARALLELISM="1",
    AUTO_MIGRATE="false",
    # Other tests must not trip over the spec's rates; tests/test_ratelimit.py sets its own.
    AUTH_RATE_LIMIT="100000/minute",
    RATE_LIMIT_READ="100000/minute",
    RATE_LIMIT_WRITE="100000/minute",
    RATE_LIMIT_OVERRIDES="{}",
    RATE_LIMIT_PREFIX=f"shop-tests-{secrets.token_hex(4)}",
    # Factories write rows behind the cache's back, so the suite runs without one;
    # tests/test_cache.py turns it on (fixture ``cache``) for its own tests.
    CACHE_ENABLED="false",
    CACHE_PREFIX=f"shop-tests-{secrets.token_hex(4)}",
)

from fastapi import FastAPI  # noqa: E402 - the environment above must come first

from app.core.config import Settings  # noqa: E402
from app.core.migrations import upgrade  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Base  # noqa: E402
from tests.factories import Account, sign_up  # noqa: E402


def make_settings(**overrides: Any) -> Settings:
    """Settings for a test app (the .env file is ignored); one on SQLite runs the table
    engine of jobs unless told otherwise."""
    if str(overrides.get("database_url", "")).startswith("sqlite"):
        overrides.setdefault("jobs_engine", "table")
    return Settings(_env_file=None, **overrides)


@pytest.fixture
def one_job_per_event(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each event queues one job (the job the tests queue, else the welcome email, else its
    first), so that a test counts that job's runs; the job tests check every listener of
    an event apart."""
    from app.jobs.queue import SUBSCRIPTIONS

    preferred = ("receipt",)
    for topic, names in list(SUBSCRIPTIONS.items()):
        chosen = next((name for name in preferred if name in names), names[0])
        monkeypatch.setitem(SUBSCRIPTIONS, topic, (chosen,))


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
async def app(anyio_backend: str) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings())
    await upgrade(application.state.engine)
    yield application
    await application.state.rate_limit_store.reset()
    await application.state.cache.clear()
    await application.state.rate_limit_store.close()
    await application.state.engine.dispose()
    if application.state.inline_read_engine is not None:
        application.state.inline_read_engine.dispose()
    if application.state.sqlite_writer is not None:
        application.state.sqlite_writer.engine.dispose()
    _SCRATCH.cleanup()


@pytest.fixture(scope="session")
def engine(app: FastAPI) -> AsyncEngine:
    result: AsyncEngine = app.state.engine
    return result


# Tables are emptied children first. A key to a table emptied before (or at the same
# time as) its own, as a row's key to another row of its table, is cleared first: a
# RESTRICT reference would otherwise refuse the delete of the row it names.
_EMPTYING_ORDER = list(reversed(Base.metadata.sorted_tables))
_BACKWARD_KEYS = [
    (table, column)
    for position, table in enumerate(_EMPTYING_ORDER)
    for column in table.columns
    if column.nullable
    and any(_EMPTYING_ORDER.index(key.column.table) <= position for key in column.foreign_keys)
]


@pytest.fixture(autouse=True)
async def _empty_tables(app: FastAPI, engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for table, column in _BACKWARD_KEYS:
            await connection.execute(
                table.update().where(column.is_not(None)).values({column: None})
            )
        for table in _EMPTYING_ORDER:
            await connection.execute(table.delete())
    await app.state.rate_limit_store.reset()
    await app.state.cache.clear()  # the rows were deleted behind the cache's back


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for the factories (they commit what they create)."""
    async with engine.connect() as connection:
        yield connection


@pytest.fixture
def make_user(app: FastAPI, db: AsyncConnection) -> Callable[..., Awaitable[Account]]:
    """Create an account with a live session: ``await make_user("admin")``."""

    async def make(role: str = "customer") -> Account:
        return await sign_up(db, app.state.settings, role=role)

    return make


@pytest.fixture
def count_queries(app: FastAPI, engine: AsyncEngine) -> Callable[[], Any]:
    """``with count_queries() as queries: ...`` records every SQL statement sent."""
    # On a SQLite file, read-only requests go through the app's inline engine, and write
    # requests through the write path's engine.
    writer = app.state.sqlite_writer
    candidates = (engine.sync_engine, app.state.inline_read_engine, writer and writer.engine)
    engines = [e for e in candidates if e is not None]

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        for target in engines:
            event.listen(target, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            for target in engines:
                event.remove(target, "before_cursor_execute", record)

    return counting
