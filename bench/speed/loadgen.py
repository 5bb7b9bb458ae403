"""wrk runs: one bounded load on one endpoint, its numbers read from the Lua done() hook."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parent / "lua" / "bench.lua"
LIST_PATH = "/api/v1/posts?limit=20"
POST_BODY = json.dumps(
    {
        "title": "A post written under load",
        "body": "Measured, not claimed: every figure comes from a run. " * 4,
        "status": "draft",
    }
)
ENDPOINTS = ("get", "list", "post")


@dataclass(frozen=True)
class Load:
    """The shape of every run."""

    duration: int  # seconds (wrk takes whole seconds)
    connections: int
    threads: int
    max_requests: int  # per wrk thread: the run stops at this many even before the time is up
    timeout: int = 10


def wrk_version() -> str:
    """The first line wrk prints about itself."""
    found = shutil.which("wrk")
    if found is None:
        return "not found"
    out = subprocess.run([found, "-v"], capture_output=True, text=True, check=False, timeout=10)
    return (out.stdout or out.stderr).splitlines()[0].strip()


def run(url: str, endpoint: str, load: Load, *, ids_file: Path, token: str) -> dict[str, Any]:
    """Load ``endpoint`` of the app at ``url`` and return wrk's figures."""
    data = {"get": [str(ids_file)], "list": [LIST_PATH], "post": [token, POST_BODY]}[endpoint]
    command = [
        "wrk",
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{load.duration}s",
        f"--timeout={load.timeout}s",
        "-s",
        str(SCRIPT),
        url,
        "--",
        endpoint,
        str(load.max_requests),
        *data,
    ]
    out = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=load.duration + 60
    )
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            result: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
            seconds = result["duration_us"] / 1e6
            result["rps"] = result["requests"] / seconds if seconds else 0.0
            result["error_total"] = sum(result["errors"].values())
            return result
    raise RuntimeError(
        f"wrk printed no result (exit {out.returncode}):\n{out.stdout}\n{out.stderr}"
    )
