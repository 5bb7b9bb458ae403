"""A whole MCP session over a real ``backend-agent mcp`` process: init, build, update, verify,
audit, review, and a build cancelled midway that leaves no process and no half-written folder."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from backend_agent.pipeline import probe_plan, recorded_blueprint
from backend_agent.verify import SubprocessRunner
from backend_agent.verify.environment import ensure_environment
from backend_agent.verify.live import ProbePlan
from backend_agent.verify.live.service import Service, serve_project

from .test_mcp import CLI_SERVER, text_of

NEW_FIELD = "      color: {type: string, max_length: 20, nullable: true}\n"


def children_of(pid: int) -> list[int]:
    """Every process below ``pid``, read from /proc (zombies included)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat[stat.rfind(")") + 2 :].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        below = [child for child, ppid in parents.items() if ppid == parent]
        found += below
        frontier += below
    return found


@contextlib.contextmanager
def built_service(project: Path, scratch: Path) -> Iterator[tuple[Service, ProbePlan]]:
    """The project the session built, started as verify's live gates start it.

    Its own server (``app.server``) in the environment the build prepared, on a fresh
    SQLite file, with one signed-in account per role of its design; stopped on exit.
    """
    blueprint = recorded_blueprint(project)
    assert blueprint is not None
    plan = probe_plan(blueprint)
    log = scratch / "environment.log"
    python = ensure_environment(project, SubprocessRunner(), log)
    assert log.read_text().startswith("reused environment"), log.read_text()
    with serve_project(
        project, python, reports=scratch, scratch=scratch, roles=plan.roles, password=plan.password
    ) as service:
        yield service, plan


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie has ended; an orphan that runs on is alive)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


def measured(result: Any) -> dict[str, Any]:
    """A delivery's figures, from a tool's structured answer."""
    figures: dict[str, Any] = result.structured_content["figures"]
    return figures


def complete_or_absent(project: Path) -> bool:
    """True when ``project`` does not exist, or holds every file its manifest lists."""
    if not project.exists():
        return True
    manifest = json.loads((project / ".backend-agent" / "manifest.json").read_text())
    return all((project / name).is_file() for name in manifest["files"])


async def audit_the_built_service(client: Client, root: Path, seen: dict[str, Any]) -> None:
    """Start the built project's server, audit it over MCP as its users, stop it."""
    scratch = root / "served"
    scratch.mkdir()
    before = set(children_of(os.getpid()))
    stack = contextlib.ExitStack()
    try:
        service, plan = await anyio.to_thread.run_sync(
            stack.enter_context, built_service(root / "svc", scratch)
        )
        seen["serving"] = [p for p in children_of(os.getpid()) if p not in before]
        (root / "plan.json").write_text(plan.to_json())
        steps: list[str] = []

        async def record(progress: float, total: float | None, message: str | None) -> None:
            steps.append(message or "")

        seen["audit"] = await client.call_tool(
            "audit",
            {
                "url": service.base_url,
                "tokens": [f"{a.role}:{a.token}" for a in service.accounts],
                "plan": "plan.json",
                "gates": ["contract", "security"],
                "contract_examples": 2,
                "min_contract_cases": 1,
                "report_dir": "audit",
            },
            progress_callback=record,
        )
        seen["audit_steps"] = steps
        seen["audit_roles"] = sorted(str(a.role) for a in service.accounts)
    finally:
        await anyio.to_thread.run_sync(stack.close)
    serving = seen.get("serving", [])
    deadline = time.monotonic() + 10  # workers the server's own stop left to end alone
    while time.monotonic() < deadline and [p for p in serving if alive(p)]:
        await anyio.sleep(0.2)
    seen["left_serving"] = [p for p in serving if alive(p)]


async def whole_session(root: Path, seen: dict[str, Any]) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-c", CLI_SERVER, str(root)])
    steps: list[str] = []

    async def record(progress: float, total: float | None, message: str | None) -> None:
        steps.append(message or "")

    async with Client(params, read_timeout_seconds=600) as client:
        seen["init"] = await client.call_tool("init", {"name": "notes"})
        seen["build"] = await client.call_tool(
            "build", {"spec": "spec.yaml", "out": "svc", "live": False}, progress_callback=record
        )
        seen["steps"] = list(steps)
        spec = root / "spec.yaml"
        text = spec.read_text()
        anchor = "      due_on: {type: date, nullable: true}\n"
        spec.write_text(text.replace(anchor, anchor + NEW_FIELD, 1))
        seen["update"] = await client.call_tool(
            "update", {"project": "svc", "spec": "spec.yaml", "verify": False}
        )
        seen["verify"] = await client.call_tool("verify", {"project": "svc", "live": False})
        await audit_the_built_service(client, root, seen)
        seen["review"] = await client.call_tool("review", {"path": "svc/app/main.py"})

        # A second build, cancelled while the project's tests run in a child of the worker.
        [server] = [
            pid
            for pid in children_of(os.getpid())
            if b"backend_agent.cli.agent" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        testing = anyio.Event()

        async def on_step(progress: float, total: float | None, message: str | None) -> None:
            if (message or "").startswith("running the project's tests"):
                testing.set()

        async with anyio.create_task_group() as group:
            scope = anyio.CancelScope()

            async def cancellable_build() -> None:
                with scope:
                    await client.call_tool(
                        "build",
                        {"spec": "spec.yaml", "out": "svc2", "live": False},
                        progress_callback=on_step,
                    )

            group.start_soon(cancellable_build)
            await testing.wait()
            running: list[int] = []
            for _ in range(300):  # the worker and the test run it started
                running = children_of(server)
                if len(running) >= 2:
                    break
                await anyio.sleep(0.1)
            scope.cancel()
        seen["running"] = running
        seen["cancelled"] = scope.cancelled_caught
        deadline = time.monotonic() + 15  # far less than the tests take, so none end alone
        while time.monotonic() < deadline and [p for p in running if alive(p)]:
            await anyio.sleep(0.2)
        seen["left"] = [p for p in running if alive(p)] + children_of(server)
        seen["svc2_complete_or_absent"] = complete_or_absent(root / "svc2")
        seen["after_cancel"] = await client.call_tool("rules", {})


@pytest.mark.slow
def test_a_whole_session_over_mcp(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}
    anyio.run(whole_session, tmp_path, seen)

    assert not seen["init"].is_error
    assert seen["init"].structured_content == {"spec": "spec.yaml", "name": "notes"}
    assert (tmp_path / "spec.yaml").is_file()

    # The gates' verdicts are the pipeline's business; here: each long tool ran and measured.
    build = measured(seen["build"])
    assert build["tests_passed"]["value"] > 0, text_of(seen["build"])
    assert build["migration_roundtrip"]["exit_code"] == 0
    assert "designing the schema and the API" in seen["steps"]
    assert "running the project's tests with coverage (SQLite)" in seen["steps"]

    update = seen["update"].structured_content
    assert not seen["update"].is_error, text_of(seen["update"])
    assert update["conflicts"] == []
    assert "/0002" in update["migration"]["file"]
    assert any("color" in op for op in update["migration"]["operations"])
    assert "color" in (tmp_path / "svc" / update["migration"]["file"]).read_text()

    verify = measured(seen["verify"])  # the new migration goes up, down and up again
    assert verify["migration_roundtrip"]["exit_code"] == 0, text_of(seen["verify"])
    assert verify["tests_passed"]["value"] > 0

    # The audit reached the service the session built, as its users, and measured it.
    audit = seen["audit"]
    assert seen["audit_roles"] == ["admin", "member"]
    gates = {g["name"]: g["status"] for g in audit.structured_content["gates"]}
    assert gates == {
        "seed": "skipped",
        "load": "skipped",
        "contract": "passed",
        "security": "passed",
    }, text_of(audit)
    figures = measured(audit)
    assert figures["contract_cases"]["value"] > 0
    assert figures["contract_server_errors"]["value"] == 0
    assert figures["security_probes_passed"]["value"] > 0
    assert figures["security_probes_failed"]["value"] == 0
    contract = json.loads((tmp_path / "audit" / "contract.json").read_text())
    covered = [op for op, row in contract["operations"].items() if row["tested"]]
    assert covered, "no operation got a contract case"
    assert len(covered) == len(contract["operations"])
    assert any("/api/v1/projects/{project_id}/tasks" in op for op in covered)
    assert seen["audit_steps"], "the audit sent no progress"
    assert seen["serving"], "no server process was started"
    assert seen["left_serving"] == []

    assert seen["review"].structured_content == {"findings": []}

    assert seen["cancelled"]
    assert len(seen["running"]) >= 2
    assert seen["left"] == []
    assert seen["svc2_complete_or_absent"]
    assert not seen["after_cancel"].is_error
