"""The live gates on the database the user gave, with the spec's password policy and a
unique column of every request's own (a tiny inline spec, PostgreSQL and Redis)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from backend_agent.design import design
from backend_agent.generate import generate
from backend_agent.pipeline import probe_plan
from backend_agent.spec import load_spec
from backend_agent.verify import LiveOptions, LiveThresholds, SubprocessRunner, Thresholds
from backend_agent.verify.environment import ensure_environment
from backend_agent.verify.gates import Workspace
from backend_agent.verify.live import live_gates

REDIS_URL = os.environ.get("BACKEND_AGENT_TEST_REDIS", "redis://127.0.0.1:6379/5")
SPEC = """\
name: vault
auth:
  roles: [admin, user]
  password_min_length: 12
  password_requires: [uppercase, symbol]
entities:
  Ticket:
    owner: true
    fields:
      uuid: {type: uuid, unique: true, required: true}
      code: {type: string, max_length: 12, unique: true, required: true}
      seats: {type: integer, min: 1, max: 500}
    permissions: {create: authenticated}
"""


def _tickets(url: str) -> int:
    import asyncpg

    async def count() -> int:
        connection = await asyncpg.connect(url, timeout=10)
        try:
            return int(await connection.fetchval("SELECT count(*) FROM tickets"))
        finally:
            await connection.close()

    return asyncio.run(count())


@pytest.mark.slow
def test_live_gates_run_on_the_given_database_with_the_spec_policy(
    tmp_path: Path, postgres_database: str
) -> None:
    spec = tmp_path / "vault.yaml"
    spec.write_text(SPEC)
    blueprint = design(load_spec(spec))
    project = tmp_path / "vault"
    for path, text in generate(blueprint).items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text, encoding="utf-8")
    runner = SubprocessRunner()
    python = ensure_environment(project, runner, tmp_path / "environment.log")
    reports = project / ".backend-agent" / "reports"
    reports.mkdir(parents=True)
    options = LiveOptions(
        seed_rows=40, seed_related_rows=0, load_seconds=1.0, load_connections=4,
        load_max_requests=400, gates=("seed", "load", "security"),
    )  # fmt: skip
    results = live_gates(
        Workspace(project, python, runner, reports, Thresholds()),
        plan=probe_plan(blueprint),
        options=options,
        thresholds=LiveThresholds(max_p95_ms=10_000.0),
        database_url=postgres_database,
        redis_url=REDIS_URL,
    )
    gates = {r.gate.name: r.gate for r in results}
    assert gates["seed"].status == "passed", gates["seed"].message
    assert gates["load"].status == "passed", gates["load"].message
    # Among the probes: a NUL byte in a text filter, which PostgreSQL itself would refuse.
    assert gates["security"].status == "passed", gates["security"].message
    setup = (reports / "live.setup.log").read_text()
    assert f"DATABASE_URL={postgres_database}" in setup
    assert f"REDIS_URL={REDIS_URL}" in setup
    created = results[1].figures["load_rps.create_ticket"]
    assert created.value is not None
    # The seeded rows and every row the load's POSTs created are in PostgreSQL.
    assert _tickets(postgres_database) >= 40 + 1
