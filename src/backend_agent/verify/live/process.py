"""Child processes with a deadline, their own process group, and their CPU use (rusage)."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Finished", "display", "run_measured"]


@dataclass(frozen=True)
class Finished:
    """A finished child: exit code, output, wall time and the CPU seconds it used."""

    command: str
    exit_code: int
    output: str
    seconds: float
    cpu_seconds: float
    timed_out: bool = False

    @property
    def cpu_percent(self) -> float:
        """CPU time over wall time, in percent of one core."""
        return 100.0 * self.cpu_seconds / self.seconds if self.seconds > 0 else 0.0


def display(args: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """The command line as a person would type it (secrets never go in ``args`` or ``env``)."""
    prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted((env or {}).items()))
    return f"{prefix} {shlex.join(str(a) for a in args)}".strip()


def run_measured(
    args: Sequence[str],
    *,
    cwd: Path,
    output: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
    shown_env: Mapping[str, str] | None = None,
    shown_args: Sequence[str] | None = None,
    tick: Callable[[float], None] | None = None,
) -> Finished:
    """Run ``args`` to completion (killing it after ``timeout`` s), output to ``output``.

    ``env`` is added to the environment; only ``shown_env`` appears in the
    recorded command (and ``shown_args``, when given, instead of ``args``), so
    secrets stay out of the reports.
    ``tick(elapsed)`` is called about ten times a second while it runs.
    """
    started = time.monotonic()
    full_env = {**os.environ, **(env or {})}
    full_env.pop("VIRTUAL_ENV", None)
    with output.open("wb") as sink:
        child = subprocess.Popen(
            [str(a) for a in args],
            cwd=cwd,
            env=full_env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        timed_out = False
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.monotonic() - started
            if elapsed > timeout:
                timed_out = True
                os.killpg(child.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(child.pid, 0)
                break
            if tick is not None:
                tick(elapsed)
            time.sleep(0.1)
    code = os.waitstatus_to_exitcode(status)
    child.returncode = code  # reaped by wait4 above; keeps Popen from waiting again
    text = output.read_text(encoding="utf-8", errors="replace")
    if timed_out:
        code = 124
        text += f"\n[killed after {timeout:.0f} s]\n"
        output.write_text(text, encoding="utf-8")
    return Finished(
        command=display(shown_args or args, shown_env),
        exit_code=code,
        output=text,
        seconds=time.monotonic() - started,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        timed_out=timed_out,
    )
