"""Ending a process tree (children in sessions of their own included), and the MCP worker's
cancellation, which ends everything the tool started."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from backend_agent.agent.processes import descendants, end_tree

# A parent with a child in its own session (as the served app and wrk are started),
# which itself keeps a grandchild; all of them sleep until ended.
TREE = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; "
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); time.sleep(600)"],
    start_new_session=True)
time.sleep(600)
"""


def wait_for(count: int, pid: int) -> list[int]:
    deadline = time.monotonic() + 20
    while len(found := descendants(pid)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        state = stat.rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_the_whole_tree_ends_sessions_included() -> None:
    parent = subprocess.Popen([sys.executable, "-c", TREE])
    try:
        below = wait_for(2, parent.pid)
        assert len(below) == 2
        assert end_tree(parent.pid, include_self=True) == 2
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in below) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in below if alive(pid)] == []
    finally:
        parent.kill()
        parent.wait()


def test_a_process_without_children_has_no_descendants() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        assert descendants(child.pid) == []
    finally:
        child.kill()
        child.wait()


def test_a_cancelled_worker_ends_every_process_its_tool_started(tmp_path: Path) -> None:
    # The bash tool's command leaves a process in a session of its own, as the served app is.
    request = {
        "root": str(tmp_path),
        "tool": "bash",
        "arguments": {"command": "setsid sleep 600 & sleep 600"},
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "backend_agent.agent.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert worker.stdin is not None
        worker.stdin.write(json.dumps(request).encode())
        worker.stdin.close()
        below = wait_for(3, worker.pid)  # bash, and its two sleeps
        assert len(below) == 3
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 143
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in below) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in below if alive(pid)] == []
    finally:
        end_tree(worker.pid, include_self=True)
        worker.wait()
