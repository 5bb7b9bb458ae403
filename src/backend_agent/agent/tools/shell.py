"""The bash tool: a shell command in the project, with a timeout."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from backend_agent.agent.errors import ToolError
from backend_agent.agent.tools.base import REGISTRY, Effects, ToolArgs, ToolResult, Workspace

__all__ = ["CommandResult", "run_command"]

_TAIL_CHARS = 8_000  # of each stream; the end of a log is where the error usually is


@dataclass(frozen=True)
class CommandResult:
    """A finished command: its exit code and what it printed."""

    exit_code: int
    stdout: str
    stderr: str


def run_command(argv: list[str], *, cwd: Path, timeout: float) -> CommandResult:
    """Run ``argv`` in its own process group; on timeout kill the whole group and raise."""
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ToolError(
            f"the command did not finish within {timeout:.3g} seconds and was killed"
        ) from None
    return CommandResult(process.returncode, stdout, stderr)


def _tail(text: str) -> str:
    if len(text) <= _TAIL_CHARS:
        return text
    return f"[... {len(text) - _TAIL_CHARS} earlier characters not shown]\n{text[-_TAIL_CHARS:]}"


class BashArgs(ToolArgs):
    command: str = Field(min_length=1, description="The bash command line to run.")
    timeout: float = Field(120, gt=0, le=1800, description="Seconds before the command is killed.")
    cwd: str = Field(".", description="Folder to run in, relative to the project root.")


@REGISTRY.tool("bash", BashArgs, claude_name="Bash", effects=Effects(open_world=True))
def bash(workspace: Workspace, args: BashArgs) -> ToolResult:
    """Run a bash command in the project and return its exit code, stdout and stderr.

    The command runs in the project root (or cwd, a folder inside it), with no
    input, and is killed after timeout seconds.
    """
    folder = workspace.resolve(args.cwd, must_exist=True)
    if not folder.is_dir():
        raise ToolError(f"'{args.cwd}' is not a folder")
    timeout = args.timeout
    left = workspace.seconds_left()
    if left is not None:
        if left <= 0:
            raise ToolError("the run has no time left for commands")
        timeout = min(timeout, left)
    result = run_command(["bash", "-c", args.command], cwd=folder, timeout=timeout)
    output = f"exit code: {result.exit_code}"
    if result.stdout:
        output += f"\n--- stdout ---\n{_tail(result.stdout)}"
    if result.stderr:
        output += f"\n--- stderr ---\n{_tail(result.stderr)}"
    return ToolResult(output, is_error=result.exit_code != 0)
