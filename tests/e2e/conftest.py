"""Built example projects, shared by the end-to-end tests (each example is built once)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest

from backend_agent.figures import Delivery
from backend_agent.pipeline import build
from backend_agent.verify import REPORTS_DIR, LiveOptions, LiveThresholds, SubprocessRunner
from backend_agent.verify.environment import ensure_environment
from tests.conftest import EXAMPLES, POSTGRES_ADMIN_URL, _admin
from tests.strategies.regressions import window

# Smaller seeds and shorter loads than the product defaults keep the suite fast; the
# contract keeps its default size. The p95 limit is wide because a shared CI machine
# is no place to judge latency: bench/speed measures speed side by side instead.
LIVE = LiveOptions(seed_rows=1_000, load_seconds=2.0)
LIVE_LIMITS = LiveThresholds(max_p95_ms=5_000.0)
# The PostgreSQL run also counts rate limits in a real Redis, so the generated tests that
# need one (a limit shared by two app instances) run instead of being skipped.
REDIS_URL = os.environ.get("BACKEND_AGENT_TEST_REDIS", "redis://127.0.0.1:6379/5")
# ... and runs the jobs on pgqueuer, the engine at scale, so its tests run too.
JOBS_ENGINE = "pgqueuer"


# Every example built here runs every gate, the live ones included. A run builds one
# example, a window that moves on each day so that consecutive days build them all, blog
# (the README's example) among them: each build takes minutes on two cores.
# BACKEND_AGENT_E2E_EXAMPLES=all builds every example, a count builds that many, or names
# them separated by commas. Every example's golden tree, render and self-review are
# checked in every run.
def _examples_this_run() -> tuple[str, ...]:
    stems = [p.stem for p in EXAMPLES]
    wanted = os.environ.get("BACKEND_AGENT_E2E_EXAMPLES", "1")
    day = date.today().toordinal() if wanted.isdigit() else 0
    return tuple(window(wanted, day, stems, "BACKEND_AGENT_E2E_EXAMPLES"))


ALL_EXAMPLES = _examples_this_run()


@dataclass(frozen=True)
class Built:
    """An example built and verified on SQLite and PostgreSQL, the live gates included."""

    project: Path
    delivery: Delivery


def _fresh_database(name: str) -> str:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    return f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


@pytest.fixture(scope="session")
def _builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Built]]:
    """Every example is built once, on first use; its database lives until the session ends."""
    databases: list[str] = []

    class Cache(dict[str, Built]):
        def __missing__(self, stem: str) -> Built:
            spec = next(p for p in EXAMPLES if p.stem == stem)
            database = f"ba_e2e_{stem}_{secrets.token_hex(4)}"
            databases.append(database)
            url = _fresh_database(database)
            project = tmp_path_factory.mktemp(stem) / stem
            delivery = build(
                spec,
                project,
                database_url=url,
                redis_url=REDIS_URL,
                jobs_engine=JOBS_ENGINE,
                live=LIVE,
                run_live=True,
                live_thresholds=LIVE_LIMITS,
            )
            assert delivery is not None
            self[stem] = Built(project, delivery)
            return self[stem]

    cache = Cache()
    try:
        yield cache
    finally:
        for database in databases:
            _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="session", params=ALL_EXAMPLES)
def built(request: pytest.FixtureRequest, _builds: dict[str, Built]) -> Built:
    """Any example: built on PostgreSQL + Redis, its generated suite run on both databases."""
    return _builds[request.param]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    base_url: str
    env: dict[str, str]
    python: Path


@pytest.fixture
def server(built: Built, tmp_path: Path) -> Iterator[Server]:
    """The built project served by its production server (app/server.py) in production mode."""
    project = built.project
    python = ensure_environment(project, SubprocessRunner(), tmp_path / "env.log")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'walkthrough.db'}",
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "PATH": f"{python.parent}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("VIRTUAL_ENV", None)
    subprocess.run([python, "-m", "alembic", "upgrade", "head"], cwd=project, env=env, check=True,
                   capture_output=True)  # fmt: skip
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [python, "-m", "app.server", "--host", "127.0.0.1", "--port", str(port)],
        cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"the server did not start:\n{(tmp_path / 'server.log').read_text()}")
            time.sleep(0.2)
        yield Server(base, env, python)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


__all__ = ["ALL_EXAMPLES", "REPORTS_DIR", "Built", "Server"]
