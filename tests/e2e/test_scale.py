"""Two server processes of one generated service share their state through Redis.

Each process is a real server (app/server.py) of the generated blog service, on the same
PostgreSQL database and the same Redis: a rate limit is counted once across both,
and a write through one process is seen at once by a cached read through the other.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from backend_agent.design import design
from backend_agent.generate import generate, write_project
from backend_agent.spec import load_spec
from backend_agent.verify import SubprocessRunner
from backend_agent.verify.environment import ensure_environment
from tests.conftest import ROOT, _admin
from tests.e2e.conftest import _fresh_database, free_port

REDIS_URL = os.environ.get("BACKEND_AGENT_TEST_REDIS", "redis://127.0.0.1:6379/5")
PASSWORD = "scale-test-password-1"


@dataclass(frozen=True)
class Project:
    path: Path
    python: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The blog service, migrated on a fresh PostgreSQL database, with an admin account."""
    path = tmp_path_factory.mktemp("scale") / "blog"
    write_project(generate(design(load_spec(ROOT / "examples" / "blog.yaml"))), path)
    python = ensure_environment(path, SubprocessRunner(), path.parent / "env.log")
    database = f"ba_scale_{secrets.token_hex(4)}"
    url = _fresh_database(database)
    env = {
        **{k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),  # the same key: tokens work on both
        "AUTO_MIGRATE": "false",
        # Production hides /metrics; the test reads it from loopback, an allowed address.
        "OPS_ALLOW_IPS": "127.0.0.1",
    }
    try:
        for args in (
            ["-m", "alembic", "upgrade", "head"],
            ["-m", "app.cli", "create-user", "--email=admin@example.com",
             f"--password={PASSWORD}", "--role=admin"],
        ):  # fmt: skip
            subprocess.run([python, *args], cwd=path, env=env, check=True, capture_output=True)
        yield Project(path, python, env)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _serve(project: Project, stack: ExitStack, log: Path, **settings: str) -> str:
    port = free_port()
    sink = stack.enter_context(log.open("w"))
    process = subprocess.Popen(
        [project.python, "-m", "app.server", "--host", "127.0.0.1", "--port", str(port)],
        cwd=project.path, env={**project.env, **settings}, stdout=sink, stderr=subprocess.STDOUT,
    )  # fmt: skip
    stack.callback(process.wait, 10)
    stack.callback(process.terminate)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                return base
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the server did not start:\n{log.read_text()}")
        time.sleep(0.2)


@pytest.fixture
def two_servers(project: Project, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two processes with small read limits and their own Redis key prefix for this test."""
    prefix = f"scale-{secrets.token_hex(4)}"
    settings = {"RATE_LIMIT_READ": "8/minute", "RATE_LIMIT_PREFIX": prefix, "CACHE_PREFIX": prefix}
    with ExitStack() as stack:
        yield (
            _serve(project, stack, tmp_path / "a.log", **settings),
            _serve(project, stack, tmp_path / "b.log", **settings),
        )


def test_two_processes_count_one_rate_limit(two_servers: tuple[str, str]) -> None:
    first, second = two_servers
    statuses = [
        httpx.get(f"{base}/api/v1/tags", timeout=10).status_code for base in (first, second) * 5
    ]
    # 8 per minute for this client in all: alone, each process would allow 5 of its 5.
    assert statuses[:8] == [200] * 8
    assert statuses[8:] == [429, 429]


def test_a_write_through_one_process_is_read_fresh_through_the_other(
    two_servers: tuple[str, str],
) -> None:
    first, second = two_servers
    login = httpx.post(
        f"{first}/api/v1/auth/login",
        json={"email": "admin@example.com", "password": PASSWORD},
        timeout=10,
    )
    assert login.status_code == 200, login.text
    bearer = {"Authorization": f"Bearer {login.json()['data']['access_token']}"}
    name = f"scale-{secrets.token_hex(3)}"
    created = httpx.post(f"{first}/api/v1/tags", json={"name": name}, headers=bearer, timeout=10)
    assert created.status_code == 201, created.text
    item = f"/api/v1/tags/{created.json()['data']['id']}"
    # Cached by the second process (read twice: the second read is a cache hit) ...
    for _ in range(2):
        assert (
            httpx.get(f"{second}{item}", headers=bearer, timeout=10).json()["data"]["name"] == name
        )
    # ... changed through the first ...
    renamed = f"{name}-new"
    changed = httpx.patch(f"{first}{item}", json={"name": renamed}, headers=bearer, timeout=10)
    assert changed.status_code == 200, changed.text
    # ... and the second process serves the new value at once, not its cached copy.
    assert (
        httpx.get(f"{second}{item}", headers=bearer, timeout=10).json()["data"]["name"] == renamed
    )
    hits = httpx.get(f"{second}/metrics", timeout=10).text
    assert 'cache_operations_total{result="hit"}' in hits
