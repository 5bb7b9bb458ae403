"""Starting a generated project's real server in production mode, with accounts to act as.

This is the only module that knows backend-agent's own conventions
(``app.main:app``, ``alembic upgrade head``, ``python -m app.cli create-user``,
``/health/ready``, ``POST .../auth/login`` answering ``data.access_token``);
everything after start-up treats the service as any other API.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from backend_agent.errors import GateError
from backend_agent.verify.live.client import Client
from backend_agent.verify.live.plan import Account, PasswordPolicy
from backend_agent.verify.live.process import Finished, run_measured

__all__ = ["MEASURED_RATE_LIMITS", "Service", "StartError", "free_port", "serve_project"]


class StartError(GateError):
    """The service did not start or its accounts could not sign in; ``log`` says why."""

    def __init__(self, message: str, log: Path) -> None:
        super().__init__(f"{message}; see {log}")
        self.log = log


@dataclass(frozen=True)
class Service:
    """A running service: where it listens, the accounts made for the run, its log."""

    base_url: str
    accounts: tuple[Account, ...]
    log: Path
    setup: tuple[Finished, ...]


# Generated services read their rates from these variables; a service that does not
# know them ignores them.
MEASURED_RATE_LIMITS = {
    "RATE_LIMIT_READ": "10000000/minute",
    "RATE_LIMIT_WRITE": "10000000/minute",
    "RATE_LIMIT_OVERRIDES": "{}",
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _account_roles(roles: Sequence[str]) -> list[tuple[str, str | None]]:
    """(name, role) of the accounts to create: one per role, two when there is one role."""
    if not roles:
        return [("user-a", None), ("user-b", None)]
    named: list[tuple[str, str | None]] = [(f"as-{role}", role) for role in roles]
    if len(roles) == 1:
        named.append((f"as-{roles[0]}-2", roles[0]))
    return named


@contextlib.contextmanager
def serve_project(
    project: Path,
    python: Path,
    *,
    reports: Path,
    scratch: Path,
    roles: Sequence[str],
    password: PasswordPolicy | None = None,
    database_url: str | None = None,
    redis_url: str | None = None,
    login_path: str = "/api/v1/auth/login",
    workers: int = 1,
    start_timeout: float = 60.0,
) -> Iterator[Service]:
    """Migrate a fresh database, create the accounts, serve, sign in; stop on exit.

    The database is ``database_url`` (emptied first: downgrade to base, then upgrade to
    head) or a new SQLite file in ``scratch``; ``redis_url`` is given to the service as
    ``REDIS_URL``. Account passwords follow ``password`` (the spec's policy). The
    per-client rate limits stay on but are raised (``MEASURED_RATE_LIMITS``): the load
    and the contract send thousands of requests as one user. The login limit stays real.
    """
    env = {
        "DATABASE_URL": database_url or f"sqlite+aiosqlite:///{scratch / 'live.db'}",
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        # Production hides /openapi.json from all but allowed addresses; the gates read
        # the contract from the running service, over loopback.
        "OPS_ALLOW_IPS": "127.0.0.1",
        **MEASURED_RATE_LIMITS,
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    shown = {k: _redacted(v) for k, v in env.items() if k != "SECRET_KEY"}
    setup: list[Finished] = []
    log = reports / "live.setup.log"

    def step(args: list[str], name: str, secret: str = "") -> Finished:
        done = run_measured(
            args, cwd=project, output=scratch / f"{name}.out", timeout=300, env=env,
            shown_env=shown, shown_args=[a.replace(secret, "***") if secret else a for a in args],
        )  # fmt: skip
        setup.append(done)
        log.write_text(
            "\n".join(f"$ {f.command}\n[exit {f.exit_code}]\n{f.output}" for f in setup), "utf-8"
        )
        if done.exit_code != 0:
            raise StartError(f"{name} failed (exit {done.exit_code})", log)
        return done

    if database_url:
        step([str(python), "-m", "alembic", "downgrade", "base"], "empty the database")
    step([str(python), "-m", "alembic", "upgrade", "head"], "migrate")
    passwords: dict[str, str] = {}
    accounts = _account_roles(roles)
    policy = password or PasswordPolicy()
    for name, role in accounts:
        passwords[name] = policy.new_password()
        args = [str(python), "-m", "app.cli", "create-user", f"--email={name}@example.com"]
        args += [f"--password={passwords[name]}"] + ([f"--role={role}"] if role else [])
        step(args, f"create-user {name}", passwords[name])
    port = free_port()
    server_log = reports / "live.server.log"
    # The project's production server (app/server.py: granian), as its Dockerfile runs it.
    args = [str(python), "-m", "app.server", "--host", "127.0.0.1"]
    args += ["--port", str(port), "--workers", str(workers)]
    with server_log.open("wb") as sink:
        server = subprocess.Popen(
            args,
            cwd=project,
            env={**{k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}, **env},
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    client = Client(base_url, timeout=10)
    try:
        _wait_ready(client, server, server_log, start_timeout)
        signed_in = tuple(
            Account(
                name,
                _login(client, login_path, f"{name}@example.com", passwords[name], server_log),
                role,
            )
            for name, role in accounts
        )
        client.close()
        yield Service(base_url, signed_in, server_log, tuple(setup))
    finally:
        client.close()
        _stop(server)


def _redacted(value: str) -> str:
    """A URL as the reports may show it: any password in it replaced by ``***``."""
    parts = urlsplit(value)
    if "://" not in value or parts.password is None:
        return value
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _wait_ready(client: Client, server: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise StartError(f"the server exited with code {server.returncode} at start-up", log)
        try:
            if client.request("GET", "/health/ready").status == 200:
                return
        except OSError:
            client.close()  # refused while starting: try again on a new connection
        time.sleep(0.2)
    raise StartError(f"the server was not ready within {timeout:.0f} s", log)


def _login(client: Client, path: str, email: str, password: str, log: Path) -> str:
    for _attempt in range(3):
        reply = client.request("POST", path, json_body={"email": email, "password": password})
        if reply.status == 429:
            # The login rate limit is real; wait it out rather than weaken it.
            time.sleep(min(float(reply.headers.get("retry-after", "5") or 5), 65.0))
            continue
        body = reply.json()
        data = body.get("data", body) if isinstance(body, dict) else {}
        token = data.get("access_token") if isinstance(data, dict) else None
        if reply.status == 200 and isinstance(token, str):
            return token
        raise StartError(f"signing in as {email} failed: {reply.status} {reply.body[:200]!r}", log)
    raise StartError(f"signing in as {email} was rate limited three times", log)


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
