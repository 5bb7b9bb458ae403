"""Outages: a database that cannot serve answers 503 with Retry-After and is logged once
per interval; a request past its deadline answers 504 at once; a server worker stops
when its server process is gone."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import Message

from app.core.outages import RepeatedFailures, unavailable
from app.main import create_app
from tests.conftest import make_settings
from tests.helpers import assert_error

LOGIN = "/api/v1/auth/login"


def _closed_port() -> int:
    """A port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Sqlstate(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"SQLSTATE {sqlstate}")
        self.sqlstate = sqlstate


def _wrapped(orig: Exception) -> DBAPIError:
    return DBAPIError("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError(), True),
        (PoolTimeout("no connection within 10 s"), True),
        (_wrapped(ConnectionResetError(104, "reset")), True),
        (_wrapped(_Sqlstate("57014")), True),  # statement timeout
        (_wrapped(_Sqlstate("57P03")), True),  # the server is starting up
        (_wrapped(_Sqlstate("53300")), True),  # too many connections
        (OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked")), True),
        (_wrapped(_Sqlstate("23505")), False),  # a unique violation is the request's
        (OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x")), False),
        (FileNotFoundError(2, "No such file"), False),
        (ValueError("bad"), False),
    ],
)
def test_outages_are_told_apart_from_bugs(error: Exception, expected: bool) -> None:
    assert unavailable(error) is expected


def test_an_error_caused_by_an_outage_is_one() -> None:
    error = RuntimeError("while connecting")
    error.__cause__ = ConnectionRefusedError(111, "Connection refused")
    assert unavailable(error)


def test_repeated_failures_are_logged_once_per_interval_with_a_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    failures = RepeatedFailures(
        logging.getLogger("test.outages"), interval=10, clock=lambda: now[0]
    )
    with caplog.at_level(logging.ERROR, logger="test.outages"):
        for _ in range(100):
            failures.failed("the database cannot serve", ConnectionRefusedError(111, "refused"))
        failures.failed("something else", ValueError("other"))
        assert len(caplog.records) == 2
        now[0] = 11.0
        failures.failed("the database cannot serve", ConnectionRefusedError(111, "refused"))
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 4
    assert "repeated 99 times in 10 s" in messages[2]


@pytest.fixture
async def unreachable_database() -> AsyncIterator[FastAPI]:
    """An app whose PostgreSQL refuses connections (nothing listens on its port)."""
    url = f"postgresql+asyncpg://nobody@127.0.0.1:{_closed_port()}/nothing"
    application = create_app(make_settings(database_url=url, auth_rate_limit="1000/minute"))
    yield application
    await application.state.rate_limit_store.close()
    await application.state.engine.dispose()


@pytest.mark.anyio
async def test_a_database_that_refuses_connections_answers_503_logged_once(
    unreachable_database: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    transport = httpx.ASGITransport(app=unreachable_database)
    credentials = {"email": "someone@example.com", "password": "not-a-real-password"}
    with caplog.at_level(logging.ERROR, logger="app.core.middleware"):
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for _ in range(20):
                response = await client.post(LOGIN, json=credentials)
                assert_error(response, 503, "SERVICE_UNAVAILABLE")
                assert response.headers["Retry-After"] == "1"
                assert "127.0.0.1" not in response.text
    outage_lines = [r for r in caplog.records if "cannot serve" in r.getMessage()]
    assert len(outage_lines) == 1
    assert outage_lines[0].exc_info is None  # an outage is not a bug: no traceback


class _Recorder:
    """An ASGI ``send`` that notes when each message went out."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.messages: list[tuple[float, Message]] = []

    async def __call__(self, message: Message) -> None:
        self.messages.append((time.monotonic() - self.started, message))


@pytest.mark.anyio
async def test_a_request_past_its_deadline_answers_504_without_waiting_for_it() -> None:
    application = create_app(make_settings(request_timeout=0.2))
    cleaned_up = asyncio.Event()

    @application.get("/test/hang")
    async def hang() -> None:
        try:
            await asyncio.sleep(30)  # a database that never answers
        finally:
            await asyncio.sleep(0.5)  # and a cleanup that waits on it too
            cleaned_up.set()

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/test/hang", "raw_path": b"/test/hang", "root_path": "",
        "query_string": b"", "headers": [(b"host", b"test")], "client": ("127.0.0.1", 1),
        "server": ("test", 80), "app": application,
    }  # fmt: skip

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    send = _Recorder()
    try:
        await application(scope, receive, send)
    finally:
        await application.state.engine.dispose()
    (answered, start), (_, body) = send.messages
    assert start["status"] == 504
    assert dict(start["headers"])[b"retry-after"] == b"1"
    assert b'"TIMEOUT"' in body["body"]
    assert 0.2 <= answered < 0.5  # before the cleanup's 0.5 s
    assert cleaned_up.is_set()  # the request was cancelled and unwound


def _watched(parent: str, *, ignore_sigterm: bool = False) -> subprocess.CompletedProcess[bytes]:
    """A process that watches ``parent`` (as a server worker watches its server) and
    would otherwise sleep for 30 s."""
    code = (
        "import signal, time\n"
        "from app.server import watch_parent\n"
        + ("signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" if ignore_sigterm else "")
        + f"watch_parent({parent}, interval=0.05, grace=0.5)\n"
        "time.sleep(30)\n"
    )
    return _python(code)


def _python(code: str) -> subprocess.CompletedProcess[bytes]:
    # This interpreter, running the test's own code.
    return subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=20)  # noqa: S603


def test_a_worker_stops_when_its_server_process_is_gone() -> None:
    # Its parent is not the one it was started by: the server process died.
    started = time.monotonic()
    done = _watched("-1")
    assert done.returncode == -signal.SIGTERM
    assert time.monotonic() - started < 10


def test_a_worker_that_does_not_stop_exits_after_the_grace_period() -> None:
    assert _watched("-1", ignore_sigterm=True).returncode == 1


def test_a_worker_keeps_serving_while_its_server_process_lives() -> None:
    code = (
        "import os, time\n"
        "from app.server import watch_parent\n"
        "watch_parent(os.getppid(), interval=0.05, grace=0.5)\n"
        "time.sleep(0.5)\n"
    )
    assert _python(code).returncode == 0
