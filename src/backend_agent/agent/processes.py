"""Find and end every process a process started, process groups included (Linux ``/proc``).

The gates start children in sessions of their own (the served app, wrk,
schemathesis), so ending one process group is not enough: the tree is found
through parent ids, frozen (so nothing forks while it is being ended), then
killed, each process and each group it leads.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

__all__ = ["descendants", "end_tree"]

_PROC = Path("/proc")


def _parents() -> dict[int, tuple[int, int]]:
    """Every live process: pid -> (parent pid, process group)."""
    found: dict[int, tuple[int, int]] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:  # it ended while we looked
            continue
        # "pid (command) state ppid pgrp ...": the command may hold spaces and parentheses
        fields = stat[stat.rfind(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), int(fields[2]))
    return found


def descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (children, their children...), zombies included."""
    table = _parents()
    below: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, (ppid, _) in table.items() if ppid == parent]
        below += children
        frontier += children
    return below


def end_tree(pid: int, *, include_self: bool) -> int:
    """Kill every descendant of ``pid`` (and ``pid`` itself if asked); how many were ended."""
    stopped: list[int] = []
    while True:  # freeze until no new child appears
        fresh = [p for p in descendants(pid) if p not in stopped]
        if not fresh:
            break
        for child in fresh:
            _signal(child, signal.SIGSTOP)
            stopped.append(child)
    table = _parents()
    own_group = os.getpgrp()
    groups = {table[p][1] for p in stopped if p in table} - {own_group, 0}
    for child in stopped:
        _signal(child, signal.SIGKILL)
    for group in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
    if include_self:
        _signal(pid, signal.SIGKILL)
    return len(stopped)


def _signal(pid: int, number: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, number)
