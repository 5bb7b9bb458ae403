"""The load gate's measurement: wrk, in its own process, bounded in time and requests."""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from backend_agent.verify.live.client import auth_header
from backend_agent.verify.live.process import Finished, run_measured

__all__ = ["BODY_POOL_LIMIT", "Endpoint", "LoadRun", "lua_config", "run_load", "wrk_path"]

# The most request bodies built for one endpoint's run: each request sends its own body.
BODY_POOL_LIMIT = 50_000
_RESULT = "BACKEND_AGENT_WRK "
_EVIDENCE_BODIES = 20


@dataclass(frozen=True)
class Endpoint:
    """One endpoint to load: what to send, rotating over ``paths``.

    ``bodies`` are JSON texts, each sent once: a POST never repeats a body, so
    unique columns stay unique however many requests the run makes (it stops
    before the bodies run out).
    """

    key: str  # the figure suffix, e.g. list_posts
    label: str  # GET /api/v1/posts
    method: str
    paths: tuple[str, ...]
    bodies: tuple[str, ...] = field(default=(), repr=False)
    auth: bool = False


@dataclass(frozen=True)
class LoadRun:
    """What wrk measured for one endpoint (``error`` when it produced no result)."""

    endpoint: Endpoint
    finished: Finished
    output: Path
    script: Path
    connections: int
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def requests(self) -> int:
        """Completed requests."""
        return int(self.result.get("requests", 0))

    @property
    def seconds(self) -> float:
        """How long wrk sent requests (until the request bound stopped it, if it did)."""
        return float(self.result.get("active_us", self.result.get("duration_us", 0))) / 1e6

    @property
    def rps(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, q: str) -> float:
        """A latency percentile (``"95"``) in milliseconds."""
        return float(self.result["latency_us"]["percentiles"][q]) / 1000.0

    @property
    def cpu_percent(self) -> float:
        """The load generator's CPU time over the time it sent requests, in % of one core."""
        return 100.0 * self.finished.cpu_seconds / self.seconds if self.seconds > 0 else 0.0

    @property
    def errors(self) -> int:
        """Socket errors, timeouts and HTTP statuses of 400 and above."""
        return int(sum(self.result.get("errors", {}).values()))

    @property
    def error_rate(self) -> float:
        """Errors over attempted requests, 0..1."""
        found = self.result.get("errors", {})
        attempted = self.requests + int(found.get("connect", 0))
        return min(1.0, self.errors / attempted) if attempted else 1.0


def wrk_path() -> str | None:
    """The wrk executable, if installed."""
    return shutil.which("wrk")


def _lua(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = "".join(
            f"\\{ord(c):03d}" if ord(c) < 32 or c in '\\"' or ord(c) > 126 else c for c in value
        )
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(str(k))}] = {_lua(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))  # pragma: no cover - our own bug


def lua_config(endpoint: Endpoint, *, max_per_thread: int, body_files: Sequence[Path] = ()) -> str:
    """The full wrk script for ``endpoint``: its config table, then ``wrk.lua``.

    ``body_files`` holds one file per thread, one JSON body per line.
    """
    headers = {"Accept": "application/json"}
    if endpoint.bodies:
        headers["Content-Type"] = "application/json"
    config = {
        "method": endpoint.method,
        "paths": list(endpoint.paths),
        "headers": headers,
        "auth": endpoint.auth,
        "body_files": [str(path) for path in body_files] or None,
        "max_per_thread": max_per_thread,
    }
    template = resources.files("backend_agent.verify.live").joinpath("wrk.lua").read_text("utf-8")
    return f"-- endpoint: {endpoint.label}\nconfig = {_lua(config)}\n\n{template}"


def _write_bodies(endpoint: Endpoint, threads: int, folder: Path, reports: Path) -> list[Path]:
    """Deal the bodies out to one file per thread; keep the first few as evidence."""
    files = []
    for index in range(threads if endpoint.bodies else 0):
        path = folder / f"load.{endpoint.key}.bodies.{index}.jsonl"
        with path.open("w", encoding="utf-8", newline="\n") as sink:
            sink.writelines(f"{body}\n" for body in endpoint.bodies[index::threads])
        files.append(path)
    if endpoint.bodies:
        shown = endpoint.bodies[:_EVIDENCE_BODIES]
        (reports / f"load.{endpoint.key}.bodies.jsonl").write_text(
            "".join(f"{body}\n" for body in shown), encoding="utf-8"
        )
    return files


def run_load(
    endpoint: Endpoint,
    *,
    base_url: str,
    token: str | None,
    seconds: float,
    connections: int,
    threads: int,
    max_requests: int,
    reports: Path,
    tick: Callable[[float], None] | None = None,
) -> LoadRun:
    """Run wrk against one endpoint; the raw output and the script stay in ``reports``."""
    threads = max(1, min(threads, connections))
    per_thread = math.ceil(max_requests / threads)
    if endpoint.bodies:
        # A thread may ask for one more request per connection before it stops.
        spare = len(endpoint.bodies) // threads - math.ceil(connections / threads)
        per_thread = max(1, min(per_thread, spare))
    with tempfile.TemporaryDirectory(prefix="backend-agent-load-") as scratch:
        body_files = _write_bodies(endpoint, threads, Path(scratch), reports)
        return _run_wrk(
            endpoint, base_url=base_url, token=token, seconds=seconds, connections=connections,
            threads=threads, per_thread=per_thread, body_files=body_files, reports=reports,
            tick=tick,
        )  # fmt: skip


def _run_wrk(
    endpoint: Endpoint,
    *,
    base_url: str,
    token: str | None,
    seconds: float,
    connections: int,
    threads: int,
    per_thread: int,
    body_files: list[Path],
    reports: Path,
    tick: Callable[[float], None] | None,
) -> LoadRun:
    script = reports / f"load.{endpoint.key}.lua"
    script.write_text(
        lua_config(endpoint, max_per_thread=per_thread, body_files=body_files), "utf-8"
    )
    output = reports / f"load.{endpoint.key}.txt"
    args: Sequence[str] = [
        wrk_path() or "wrk", f"--threads={threads}", f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s", "--timeout=10s", "--latency",
        f"--script={script.name}", base_url.rstrip("/"),
    ]  # fmt: skip
    env = {}
    if endpoint.auth and token:
        name, value = auth_header(token)
        env = {"BACKEND_AGENT_LOAD_HEADER": name, "BACKEND_AGENT_LOAD_TOKEN": value}
    finished = run_measured(
        args, cwd=reports, output=output, timeout=seconds + 30, env=env, tick=tick
    )
    run = LoadRun(endpoint, finished, output, script, connections)
    for line in finished.output.splitlines():
        if line.startswith(_RESULT):
            try:
                return LoadRun(
                    endpoint,
                    finished,
                    output,
                    script,
                    connections,
                    json.loads(line[len(_RESULT) :]),
                )
            except json.JSONDecodeError as exc:
                return LoadRun(
                    endpoint, finished, output, script, connections, error=f"bad wrk result: {exc}"
                )
    reason = "timed out" if finished.timed_out else f"exit {finished.exit_code}"
    return LoadRun(
        run.endpoint, finished, output, script, connections,
        error=f"wrk printed no result ({reason})",
    )  # fmt: skip
