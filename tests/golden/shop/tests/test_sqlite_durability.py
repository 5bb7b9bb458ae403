"""On a SQLite file, every write answered 201 is in the file: after the production server
(app/server.py) is killed in the middle of a burst of writes, and with two servers
writing to the same file at once (app.core.sqlite_writer)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import httpx
import pytest

import app as app_package
from tests.conftest import DATABASE_URL

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not DATABASE_URL.startswith("sqlite"), reason="SQLite's write path"),
]

PROJECT = Path(app_package.__file__).resolve().parents[1]
DATABASE_FILE = DATABASE_URL.partition(":///")[2]
PASSWORD = "T0&r correct horse battery staple"  # passes the spec's password policy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def servers() -> Iterator[list[tuple[int, subprocess.Popen[bytes]]]]:
    """Two production servers (port, process) on the tests' database file, started once
    for the module: the first with the default SQLITE_SYNCHRONOUS, the second with
    ``full`` (group commit); each in a process group of its own (granian runs its workers
    as child processes), killed at the end."""
    env = {
        **os.environ,
        # Registration is limited per client address; every request here comes from one.
        "AUTH_RATE_LIMIT": "100000/minute",
        "LOG_LEVEL": "WARNING",
    }
    started = []
    try:
        for synchronous in ("normal", "full"):
            port = free_port()
            command = [sys.executable, "-m", "app.server", "--host", "127.0.0.1", "--port"]
            process = subprocess.Popen(  # noqa: S603 - this interpreter, the project's server
                [*command, str(port)],
                cwd=PROJECT,
                env={**env, "SQLITE_SYNCHRONOUS": synchronous},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            started.append((port, process))
        for port, _ in started:
            wait_until_live(port)
        yield started
    finally:
        for _, process in started:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_live(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"the server on port {port} did not start within 60 s")


async def register(http: httpx.AsyncClient, port: int, email: str) -> str | None:
    """The new account's id if the server answered 201; ``None`` if the request failed."""
    try:
        response = await http.post(
            f"http://127.0.0.1:{port}/api/v1/auth/register",
            json={"email": email, "password": PASSWORD},
        )
    except httpx.HTTPError:
        return None
    assert response.status_code == 201, response.text
    user_id: str = response.json()["data"]["id"]
    return user_id


def stored(emails: list[str]) -> dict[str, str]:
    """The accounts of ``emails`` that the file holds (email -> id as hex), read by sqlite3."""
    with sqlite3.connect(DATABASE_FILE) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        placeholders = ",".join("?" * len(emails))
        rows = connection.execute(
            f"SELECT email, id FROM users WHERE email IN ({placeholders})",  # noqa: S608
            emails,
        ).fetchall()
    return {email: uuid.UUID(user_id).hex for email, user_id in rows}


async def test_two_servers_on_one_file_lose_no_write(
    servers: list[tuple[int, subprocess.Popen[bytes]]],
) -> None:
    emails = [f"shared-{n}@example.com" for n in range(200)]
    limits = httpx.Limits(max_connections=32)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        ids = await asyncio.gather(
            *(register(http, servers[n % 2][0], email) for n, email in enumerate(emails))
        )
    assert None not in ids
    assert stored(emails) == {
        email: uuid.UUID(user_id).hex for email, user_id in zip(emails, ids, strict=True) if user_id
    }


async def test_every_write_answered_201_survives_the_server_being_killed(
    servers: list[tuple[int, subprocess.Popen[bytes]]],
) -> None:
    # Runs last in this module: it kills one of the servers.
    port, server = servers[0]
    emails = [f"killed-{n}@example.com" for n in range(300)]
    acknowledged: dict[str, str] = {}
    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        enough = asyncio.Event()

        async def write(email: str) -> None:
            user_id = await register(http, port, email)
            if user_id is not None:
                acknowledged[email] = user_id
                if len(acknowledged) >= 50:
                    enough.set()

        burst = [asyncio.create_task(write(email)) for email in emails]
        await enough.wait()
        os.killpg(server.pid, signal.SIGKILL)  # in the middle of the burst
        await asyncio.gather(*burst)
    assert 50 <= len(acknowledged) < len(emails)
    assert stored(list(acknowledged)) == {
        email: uuid.UUID(user_id).hex for email, user_id in acknowledged.items()
    }
