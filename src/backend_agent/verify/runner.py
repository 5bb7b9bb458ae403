"""Running commands: a small protocol so tests can script results (a seam, not a mock)."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

__all__ = ["Completed", "FakeRunner", "Runner", "SubprocessRunner"]


@dataclass(frozen=True)
class Completed:
    """What a finished command left behind."""

    command: str
    exit_code: int
    output: str  # stdout and stderr, interleaved
    seconds: float


class Runner(Protocol):
    """Runs one command to completion."""

    def run(
        self,
        args: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        timeout: float = 900,
    ) -> Completed: ...


def _display(args: Sequence[str], env: Mapping[str, str] | None) -> str:
    prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted((env or {}).items()))
    command = shlex.join(str(a) for a in args)
    return f"{prefix} {command}".strip()


class SubprocessRunner:
    """Runs commands as child processes; ``env`` is added to the current environment."""

    def run(
        self,
        args: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        timeout: float = 900,
    ) -> Completed:
        """Run ``args`` in ``cwd``; a timeout is reported as exit code 124."""
        started = time.perf_counter()
        full_env = {**os.environ, **(env or {})}
        full_env.pop("VIRTUAL_ENV", None)
        try:
            result = subprocess.run(
                [str(a) for a in args],
                cwd=cwd,
                env=full_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                timeout=timeout,
                check=False,
            )
            code, output = result.returncode, result.stdout
        except subprocess.TimeoutExpired as exc:
            partial = exc.stdout if isinstance(exc.stdout, str) else ""
            code, output = 124, f"{partial}\n[timed out after {timeout:.0f} s]\n"
        except FileNotFoundError as exc:
            code, output = 127, f"{exc}\n"
        return Completed(_display(args, env), code, output, time.perf_counter() - started)


@dataclass
class FakeRunner:
    """Answers commands from a script: ``respond(args, cwd) -> (exit_code, output)``.

    Every call is recorded in ``calls`` so tests can check what would have run.
    """

    respond: Callable[[Sequence[str], Path], tuple[int, str]]
    calls: list[list[str]] = field(default_factory=list)

    def run(
        self,
        args: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        timeout: float = 900,
    ) -> Completed:
        """Record the call and answer it from the script."""
        self.calls.append([str(a) for a in args])
        code, output = self.respond(args, cwd)
        return Completed(_display(args, env), code, output, 0.0)
