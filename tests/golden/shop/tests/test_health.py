"""Probes, the read replica and the documentation endpoints.

Readiness reports each dependency; the replica tests give the app two SQLite files, a
primary and a replica, whatever ``DATABASE_URL`` says, so that where each request went
shows in which rows it sees.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.pool import QueuePool

from app.core.db import create_engine, create_inline_read_engine, create_read_engine
from app.core.migrations import upgrade
from app.main import create_app
from tests.conftest import make_settings
from tests.factories import sign_up
from tests.helpers import assert_error, data

pytestmark = pytest.mark.anyio

AUTH = "/api/v1/auth"
CHECKS = {"database", "replica", "redis", "queue"}
# Nothing listens on port 1: connecting fails at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


Service = tuple[FastAPI, httpx.AsyncClient]


@pytest.fixture
async def make_service() -> AsyncIterator[Callable[..., Service]]:
    """``make_service(**settings)``: a new app and its client, closed after the test."""
    made: list[Service] = []

    def make(**overrides: Any) -> Service:
        application = create_app(make_settings(**overrides))
        transport = httpx.ASGITransport(app=application)
        http = httpx.AsyncClient(transport=transport, base_url="http://test")
        made.append((application, http))
        return application, http

    yield make
    for application, http in made:
        await http.aclose()
        await application.state.rate_limit_store.close()
        await application.state.engine.dispose()
        await application.state.read_engine.dispose()
        if application.state.inline_read_engine is not None:
            application.state.inline_read_engine.dispose()


async def test_live_is_trivial(client: httpx.AsyncClient) -> None:
    assert data(await client.get("/health/live")) == {"status": "ok"}


async def test_ready_reports_each_dependency(client: httpx.AsyncClient) -> None:
    ready = data(await client.get("/health/ready"))
    assert ready["status"] == "ok"
    assert set(ready["checks"]) == CHECKS
    assert ready["checks"]["database"]["status"] == "ok"
    assert ready["checks"]["database"]["latency_ms"] >= 0
    assert ready["checks"]["queue"]["status"] == "ok"
    assert ready["checks"]["replica"] == {"status": "disabled", "latency_ms": None}
    expected_redis = "ok" if os.environ.get("REDIS_URL") else "disabled"
    assert ready["checks"]["redis"]["status"] == expected_redis


async def test_ready_is_unavailable_without_a_database(
    tmp_path: Path, make_service: Callable[..., Service]
) -> None:
    unreachable = f"sqlite+aiosqlite:///{tmp_path}/missing/dir/db.sqlite"
    _, client = make_service(database_url=unreachable)
    response = await client.get("/health/ready")
    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    details = {d["field"]: d["message"] for d in response.json()["error"]["details"]}
    assert set(details) == CHECKS
    assert details["database"].startswith("down (")
    assert data(await client.get("/health/live")) == {"status": "ok"}


async def test_redis_down_degrades_but_stays_ready(make_service: Callable[..., Service]) -> None:
    _, client = make_service(redis_url=DEAD_REDIS)
    ready = data(await client.get("/health/ready"))
    assert ready["status"] == "degraded"
    assert ready["checks"]["redis"]["status"] == "down"
    assert ready["checks"]["database"]["status"] == "ok"


# -- the read replica ------------------------------------------------------------------


@pytest.fixture
async def replicated(tmp_path: Path, make_service: Callable[..., Service]) -> Service:
    """An app with a primary and a replica (two migrated SQLite files), and its client."""
    application, client = make_service(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/primary.db",
        database_replica_url=f"sqlite+aiosqlite:///{tmp_path}/replica.db",
    )
    await upgrade(application.state.engine)
    await upgrade(application.state.read_engine)
    return application, client


async def test_reads_go_to_the_replica_and_writes_to_the_primary(replicated: Service) -> None:
    application, client = replicated
    state = application.state
    assert state.read_engine is not state.engine
    # Each account exists in one database only: where a request looks shows in whom it knows.
    async with state.engine.connect() as db:
        on_primary = await sign_up(db, state.settings, role="customer")
    async with state.read_engine.connect() as db:
        on_replica = await sign_up(db, state.settings, role="customer")

    me = f"{AUTH}/me"
    assert data(await client.get(me, headers=on_replica.headers))["id"] == str(on_replica.id)
    assert_error(await client.get(me, headers=on_primary.headers), 401, "INVALID_TOKEN")
    # A POST (here: a logout, which revokes the session) reads and writes on the primary.
    logout = f"{AUTH}/logout"
    assert (await client.post(logout, headers=on_primary.headers)).status_code == 204
    assert_error(await client.post(logout, headers=on_replica.headers), 401, "INVALID_TOKEN")
    assert_error(await client.get(me, headers=on_primary.headers), 401, "INVALID_TOKEN")


async def test_ready_checks_the_replica(replicated: Service) -> None:
    _, client = replicated
    ready = data(await client.get("/health/ready"))
    assert ready["checks"]["replica"]["status"] == "ok"


async def test_ready_is_unavailable_without_the_replica(
    tmp_path: Path, make_service: Callable[..., Service]
) -> None:
    _, client = make_service(
        database_replica_url=f"sqlite+aiosqlite:///{tmp_path}/missing/dir/replica.db"
    )
    response = await client.get("/health/ready")
    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    details = {d["field"]: d["message"] for d in response.json()["error"]["details"]}
    assert details["replica"].startswith("down (")
    assert details["database"].startswith("ok (")


def test_both_engines_take_the_pool_settings() -> None:
    settings = make_settings(
        database_url="postgres://app@primary.invalid/db",
        database_replica_url="postgres://app@replica.invalid/db",
        db_pool_size=3,
        db_max_overflow=2,
        db_pool_timeout=4.0,
    )
    primary = create_engine(settings)
    replica = create_read_engine(settings, primary)
    assert settings.database_replica_url == "postgresql+asyncpg://app@replica.invalid/db"
    assert (primary.url.host, replica.url.host) == ("primary.invalid", "replica.invalid")
    for engine in (primary, replica):
        pool = engine.pool
        assert isinstance(pool, QueuePool)
        assert (pool.size(), pool.timeout()) == (3, 4.0)


def test_an_empty_replica_url_means_no_replica() -> None:
    settings = make_settings(database_replica_url="")
    primary = create_engine(settings)
    assert settings.database_replica_url is None
    assert create_read_engine(settings, primary) is primary


async def test_reads_of_a_sqlite_file_run_inline_and_writes_do_not(
    tmp_path: Path, make_service: Callable[..., Service]
) -> None:
    application, client = make_service(database_url=f"sqlite+aiosqlite:///{tmp_path}/app.db")
    state = application.state
    await upgrade(state.engine)
    async with state.engine.connect() as db:
        account = await sign_up(db, state.settings, role="customer")
    inline: list[str] = []
    event.listen(
        state.inline_read_engine, "before_cursor_execute", lambda *args: inline.append(args[2])
    )
    me = f"{AUTH}/me"
    assert data(await client.get(me, headers=account.headers))["id"] == str(account.id)
    assert inline, "the GET did not read through the inline engine"
    inline.clear()
    assert (await client.post(f"{AUTH}/logout", headers=account.headers)).status_code == 204
    assert inline == []
    # The POST wrote through the async engine: the inline engine sees the revoked session.
    assert_error(await client.get(me, headers=account.headers), 401, "INVALID_TOKEN")


@pytest.mark.parametrize(
    "url",
    ["postgresql://app@db.invalid/app", "sqlite+aiosqlite:///:memory:", "sqlite+aiosqlite://"],
)
def test_no_inline_engine_for_postgresql_or_memory(url: str) -> None:
    assert create_inline_read_engine(make_settings(database_url=url)) is None


async def test_shutdown_disposes_both_engines(replicated: Service) -> None:
    application, client = replicated
    assert data(await client.get("/health/ready"))["checks"]["replica"]["status"] == "ok"
    pools = (application.state.engine.pool, application.state.read_engine.pool)
    async with application.router.lifespan_context(application):
        pass
    # dispose() replaces an engine's pool, closing the connections of the old one.
    assert application.state.engine.pool is not pools[0]
    assert application.state.read_engine.pool is not pools[1]


# -- documentation -----------------------------------------------------------------------


async def test_the_openapi_document_is_served(app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == app.openapi()
    assert response.json()["openapi"].startswith("3.1")
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text
