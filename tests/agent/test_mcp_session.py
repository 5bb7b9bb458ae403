"""A whole MCP session over a real ``backend-agent mcp`` process: init, build, update, verify,
audit, review, and a build cancelled midway that leaves no process and no half-written folder."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client, StdioServerParameters

from .test_mcp import CLI_SERVER, text_of

LIVE = Path(__file__).parents[1] / "live"
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
def notes_api(log: Path) -> Iterator[str]:
    """The hand-written notes API of the live tests, served on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "notes_api:app", "--port", str(port),
             "--log-level", "warning"],
            cwd=LIVE, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                    break
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


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
        with notes_api(root / "notes.log") as base:
            seen["audit"] = await client.call_tool(
                "audit", {"url": base, "gates": ["security"], "report_dir": "audit"}
            )
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

    audit = seen["audit"]
    gates = {g["name"]: g["status"] for g in audit.structured_content["gates"]}
    assert gates["security"] in ("passed", "failed"), text_of(audit)
    assert gates["load"] == "skipped"

    assert seen["review"].structured_content == {"findings": []}

    assert seen["cancelled"]
    assert len(seen["running"]) >= 2
    assert seen["left"] == []
    assert seen["svc2_complete_or_absent"]
    assert not seen["after_cancel"].is_error
