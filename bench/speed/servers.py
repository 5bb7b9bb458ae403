"""The apps under test: how each is started, one worker, in a process of its own.

Every server started here is stopped by :func:`stop` (by its pid), also when the
benchmark fails or is interrupted; ``run.py`` calls it from a ``finally``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend_agent.verify.live.service import MEASURED_RATE_LIMITS

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
SECRET_KEY = "bench-speed-secret-key-0123456789abcdef"  # test-only, loopback-only servers


@dataclass
class App:
    """One app under test."""

    name: str
    role: str  # "generated" (the generated service or a variant of it), "baseline", "ceiling"
    cwd: Path
    argv: list[str]  # the server command (``uvicorn app.main:app ...``), host and port aside
    port: int = 0
    extra_env: dict[str, str] = field(default_factory=dict)
    python: Path = Path(sys.executable)  # the interpreter of an environment with its deps
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    token: str = ""

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def server(self) -> str:
        """The module that serves: ``uvicorn``, ``granian``, or ``app.server`` for a
        ``python -m app.server`` command."""
        if Path(self.argv[0]).name.startswith("python") and self.argv[1:2] == ["-m"]:
            return self.argv[2]
        return Path(self.argv[0]).name

    def command(self) -> list[str]:
        """The command line that serves the app: one worker, on loopback."""
        given = self.argv[3:] if self.argv[1:2] == ["-m"] else self.argv[1:]
        args = _without(given, ("--host", "--port", "--workers", "--bind", "-b", "-w"))
        return [
            str(self.python),
            "-m",
            self.server,
            *args,
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            "1",
        ]


def _without(args: list[str], options: tuple[str, ...]) -> list[str]:
    """``args`` less the given options and their values."""
    kept, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in options:
            skip = "=" not in arg
            continue
        kept.append(arg)
    return kept


DEFAULT_COMMANDS = {
    "uvicorn": ["uvicorn", "app.main:app"],
    "granian": ["granian", "--interface", "asgi", "app.main:app"],
}


# The ceiling is served as the generated project's ``app.server`` serves it (granian,
# ASGI, HTTP/1.1, websockets on, a single-threaded runtime, uvloop, no access log: the
# generated app writes its own), so the two differ in the app, not in the server.
CEILING_COMMAND = [
    "granian",
    "--interface",
    "asgi",
    "--http",
    "1",
    "--ws",
    "--runtime-mode",
    "st",
    "--loop",
    "uvloop",
    "--no-access-log",
    "app:app",
]


def command_of(project: Path) -> list[str]:
    """The server command of the generated project's Dockerfile (its last exec-form CMD:
    ``python -m app.server``, ``uvicorn`` or ``granian``).

    Flags are kept (``--proxy-headers``, logging), so the app runs as it is deployed;
    host, port and worker count are set by the benchmark.
    """
    dockerfile = project / "Dockerfile"
    if dockerfile.is_file():
        commands = [
            json.loads(match.group(1))
            for match in re.finditer(r"^CMD\s+(\[.*\])\s*$", dockerfile.read_text(), re.M)
        ]
        command = [str(arg) for arg in commands[-1]] if commands else []
        if command[:3] == ["python", "-m", "app.server"]:  # the project's own server module
            return command
        if command and Path(command[0]).name in DEFAULT_COMMANDS:
            return command
    return DEFAULT_COMMANDS["uvicorn"]


def environment_of(project: Path) -> Path:
    """The python of the generated project's own environment (installed once, then cached).

    Every app runs in it: it holds FastAPI, SQLAlchemy, asyncpg, aiosqlite, PyJWT, argon2,
    orjson, uvicorn and granian (the generated ``app.server``'s), all the baseline and the
    ceiling need too, at the same versions.
    """
    from backend_agent.verify import SubprocessRunner
    from backend_agent.verify.environment import ensure_environment

    return ensure_environment(project, SubprocessRunner(), project / ".bench-environment.log")


def apps_for(
    project: Path,
    variants: list[str],
    *,
    server: str,
    first_port: int,
    python: Path,
    fast_path_off: bool = False,
) -> list[App]:
    """The generated app, its variants, the baseline and the ceiling, on their own ports.

    A variant is ``NAME=DIR`` or ``NAME=DIR@SERVER`` (``uvicorn`` or ``granian``): another
    generated project, such as a tuned copy. ``server`` ("auto": the Dockerfile's) picks
    the command of the generated apps that name none. With ``fast_path_off`` the generated
    project is measured a second time with ``FAST_PATH=false`` (app ``no-fastpath``).
    """
    found = [App("generated", "generated", project, _command(server, project))]
    if fast_path_off:
        found.append(
            App(
                "no-fastpath",
                "generated",
                project,
                _command(server, project),
                extra_env={"FAST_PATH": "false"},
            )
        )
    for variant in variants:
        name, _, rest = variant.partition("=")
        path_text, _, own_server = rest.partition("@")
        path = Path(path_text).resolve()
        found.append(App(name, "generated", path, _command(own_server or server, path)))
    # The baseline runs as its docs say (``uvicorn main:app``: access log on); the
    # ceiling on the generated service's server, as that one is configured.
    found.append(App("baseline", "baseline", HERE / "baseline", ["uvicorn", "app:app"]))
    found.append(App("ceiling", "ceiling", HERE / "ceiling", CEILING_COMMAND))
    for offset, app in enumerate(found):
        app.port = first_port + offset
        app.python = python
    return found


def _command(server: str, project: Path) -> list[str]:
    return command_of(project) if server == "auto" else DEFAULT_COMMANDS[server]


def environment(database_url: str) -> dict[str, str]:
    """The environment every app runs with."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "PYTHON"))}
    env.update(
        DATABASE_URL=database_url,
        ENVIRONMENT="production",
        SECRET_KEY=SECRET_KEY,
        PYTHONUNBUFFERED="1",
        # No response cache during the measured runs (caching is not what is compared).
        CACHE_ENABLED="false",
    )
    # The generated apps keep their rate limiter on (every request is counted) but with
    # limits no run reaches, as the live gates of `verify` do: a 429 is not a response.
    env.update(MEASURED_RATE_LIMITS)
    return env


def start(app: App, database_url: str, logdir: Path) -> None:
    """Start ``app`` and wait until it answers."""
    app.log = logdir / f"{app.name}.log"
    with app.log.open("wb") as log:
        app.process = subprocess.Popen(
            app.command(),
            cwd=app.cwd,
            env={**environment(database_url), **app.extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(f"{app.name} exited at start:\n{tail(app)}")
        try:
            status, _ = request(app, "GET", "/api/v1/posts?limit=1")
        except OSError:
            status = 0
        if status == 200:
            return
        if status >= 500:
            raise RuntimeError(f"{app.name} answered {status} at start:\n{tail(app, 3)}")
        time.sleep(0.2)
    raise RuntimeError(f"{app.name} did not answer within 60 s:\n{tail(app)}")


def stop(app: App) -> None:
    """Stop ``app``'s server and every process it started (its own process group:
    granian's workers too): SIGTERM, then SIGKILL after 10 s."""
    process, app.process = app.process, None
    if process is None:
        return
    group = process.pid  # start_new_session made the server its group's leader
    _signal_group(group, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        _signal_group(group, signal.SIGKILL)
        process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _group_alive(group) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _group_alive(group):
        _signal_group(group, signal.SIGKILL)


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signum)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def drain(app: App, busy: Callable[[], int] = lambda: 0, *, timeout: float = 90) -> bool:
    """Wait until ``app`` has worked off the requests a run left queued: its CPU use is
    under 10 % of a core and ``busy()`` (the database's running statements) is 0.
    ``False`` if that takes longer than ``timeout``."""
    deadline = time.monotonic() + timeout
    before = cpu_seconds(app)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(app)
        if now - before < 0.05 and busy() == 0:
            return True
        before = now
    return False


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may hold spaces: the fields after it start past ")".
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(app: App) -> float:
    """CPU time (user + system) used so far by ``app``'s server and its child processes."""
    if app.process is None:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    tree, total = {app.process.pid}, 0.0
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = _stat(int(entry.name))
            except (OSError, ValueError):
                continue
    grew = True
    while grew:
        grew = False
        for pid, fields in stats.items():
            if pid not in tree and int(fields[1]) in tree:  # fields[1] is the parent pid
                tree.add(pid)
                grew = True
    for pid in tree:
        if pid in stats:
            total += (int(stats[pid][11]) + int(stats[pid][12])) / ticks  # utime, stime
    return total


def tail(app: App, lines: int = 20, width: int = 2000) -> str:
    """The end of ``app``'s server log (long lines cut)."""
    if app.log is None or not app.log.exists():
        return ""
    found = app.log.read_text(errors="replace").splitlines()[-lines:]
    return "\n".join(line[:width] for line in found)


def request(
    app: App,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str = "",
    timeout: float = 10,
) -> tuple[int, Any]:
    """One HTTP request to ``app``: the status and the decoded JSON body."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(app.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, _json(response.read())
    except urllib.error.HTTPError as error:
        return error.code, _json(error.read())


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def login(app: App, email: str, password: str) -> str:
    """Log in through ``app``'s own endpoint and keep the access token."""
    status, body = request(
        app, "POST", "/api/v1/auth/login", {"email": email, "password": password}
    )
    if status != 200:
        raise RuntimeError(f"{app.name}: login answered {status}: {body}")
    app.token = str(body["data"]["access_token"])
    return app.token
