"""The hand-written sample API, served by uvicorn in a subprocess on a free loopback port."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from backend_agent.verify.live import Account, OperationRule, ProbePlan

HERE = Path(__file__).resolve().parent
# What the OpenAPI document cannot say about the sample: who may create, who owns rows.
SAMPLE_PLAN = ProbePlan(
    roles=("editor", "viewer"),
    rules=(
        OperationRule("create_note_notes_post", roles=("editor",)),
        OperationRule("delete_note_notes__note_id__delete", owner=True),
        OperationRule("me_me_get"),
    ),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Sample:
    base_url: str
    accounts: tuple[Account, ...]

    def token_args(self) -> list[str]:
        return [f"--token={a.role}:{a.token}" for a in self.accounts]


def _login(base: str, user: str) -> str:
    reply = httpx.post(
        f"{base}/auth/token", json={"username": user, "password": f"{user}-password"}
    )
    reply.raise_for_status()
    return str(reply.json()["access_token"])


@contextlib.contextmanager
def served(app: str, env: dict[str, str], log_path: Path) -> Iterator[str]:
    """``module:app`` from this folder served by uvicorn on a free port; yields its base URL."""
    port = free_port()
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"],
            cwd=HERE, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{base}/openapi.json", timeout=1).status_code in (200, 401):
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{app} did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def sample(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Sample]:
    """The sample API; parametrize indirectly with a SAMPLE_BROKEN mode ('' = healthy)."""
    broken = getattr(request, "param", "")
    log_path = tmp_path_factory.mktemp("sample") / "server.log"
    with served("sample_api:app", {"SAMPLE_BROKEN": broken}, log_path) as base:
        roles = {"alice": "editor", "bob": "editor", "carol": "viewer"}
        accounts = tuple(Account(u, _login(base, u), r) for u, r in roles.items())
        yield Sample(base, accounts)


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_text(SAMPLE_PLAN.to_json(), encoding="utf-8")
    json.loads(path.read_text())  # it is plain JSON a person can edit
    return path


@dataclass(frozen=True)
class Generated:
    project: Path
    python: Path
    plan: ProbePlan


def generate_example(stem: str, out: Path) -> Generated:
    """Write the generated project of ``examples/<stem>.yaml`` and prepare its environment."""
    from backend_agent.design import design
    from backend_agent.generate import generate
    from backend_agent.pipeline import probe_plan
    from backend_agent.spec import load_spec
    from backend_agent.verify import SubprocessRunner
    from backend_agent.verify.environment import ensure_environment

    blueprint = design(load_spec(HERE.parents[1] / "examples" / f"{stem}.yaml"))
    for path, text in generate(blueprint).items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text, encoding="utf-8")
    log = out / "environment.log"
    python = ensure_environment(out, SubprocessRunner(), log)
    return Generated(out, python, probe_plan(blueprint))
