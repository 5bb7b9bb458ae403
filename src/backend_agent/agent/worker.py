"""Run one long tool (build, verify, update, audit) in a process of its own.

The MCP server starts this module in a new session for each long call, so a
cancelled call can end it and everything it started. The request is one JSON
object on stdin: ``{"root", "tool", "arguments"}``. The answers are JSON
lines on stdout: ``{"progress": message}`` for each step, then one
``{"result": {"output", "is_error", "structured"}}`` or ``{"error": message}``
(a mistake in the call). Anything else the tool prints goes to stderr.

SIGTERM ends the worker and every process below it at once, except while the
tool holds ``Workspace.writing()``: then it ends right after the write, so a
project is never left half-written.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import IO, Any

from backend_agent.agent.errors import ToolError
from backend_agent.agent.processes import end_tree
from backend_agent.agent.tools import REGISTRY, Workspace

__all__ = ["main"]

CANCELLED_EXIT = 143  # 128 + SIGTERM, as a shell reports it


class _Cancellation:
    """Ends the worker on SIGTERM, but never inside a write."""

    def __init__(self) -> None:
        self.writes = 0
        self.pending = False

    def on_signal(self, number: int, frame: FrameType | None) -> None:
        if self.writes:
            self.pending = True
        else:
            self.end()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        self.writes += 1
        try:
            yield
        finally:
            self.writes -= 1
            if not self.writes and self.pending:
                self.end()

    @staticmethod
    def end() -> None:
        end_tree(os.getpid(), include_self=False)
        os._exit(CANCELLED_EXIT)


_SENDING = threading.Lock()  # the live gates report progress from worker threads too


def _send(channel: IO[str], message: dict[str, Any]) -> None:
    with _SENDING:
        channel.write(json.dumps(message) + "\n")
        channel.flush()


def main() -> None:
    """Read the request, run the tool, write the answers."""
    # The answers get the real stdout; print() and stray output of the stages go to stderr.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    cancellation = _Cancellation()
    signal.signal(signal.SIGTERM, cancellation.on_signal)
    request = json.loads(sys.stdin.read())
    tool = REGISTRY.get(request["tool"])
    if tool is None:
        raise ValueError(f"no tool {request['tool']!r}")  # the server checked it: our bug
    workspace = Workspace(
        Path(request["root"]),
        progress=lambda message: _send(channel, {"progress": message}),
        writing=cancellation.writing,
    )
    try:
        result = tool.call(workspace, json.dumps(request["arguments"]))
    except ToolError as exc:
        _send(channel, {"error": str(exc)})
        return
    answer = {"output": result.output, "is_error": result.is_error, "structured": result.structured}
    _send(channel, {"result": answer})


if __name__ == "__main__":
    main()
