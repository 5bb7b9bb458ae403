"""Start an open-source service on a free loopback port and sign its users in.

Each service gets its own data folder, its own port and no network; its users
are made through its own API (or, for Flask-AppBuilder, at start as its
documentation does), and their credentials are returned as ``audit`` options.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from backend_agent.verify.environment import cache_root

__all__ = ["SERVICES", "Service", "start"]

ROOT = Path(__file__).resolve().parents[3]
REQUIREMENTS = Path(__file__).with_name("requirements.txt")


@functools.cache
def python() -> str:
    """The interpreter of the services' own environment, built once and cached by content."""
    wanted = sorted(
        line.strip()
        for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    key = hashlib.sha256("\n".join([sys.version, *wanted]).encode("utf-8")).hexdigest()[:16]
    root = cache_root() / "venvs" / f"audit-targets-{key}"
    executable = root / "bin" / "python"
    if not (root / ".ready").exists() or not executable.exists():
        shutil.rmtree(root, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
        subprocess.run(
            [str(executable), "-m", "pip", "install", "-q", "--disable-pip-version-check", *wanted],
            check=True,
            timeout=1200,
        )
        (root / ".ready").write_text("\n".join(wanted) + "\n", encoding="utf-8")
    return str(executable)


@dataclass(frozen=True)
class Service:
    """A running service: where it is, its document, the credentials to audit it with."""

    name: str
    base_url: str
    openapi: str
    credentials: tuple[str, ...]


@dataclass(frozen=True)
class _Recipe:
    name: str
    package: str  # the PyPI distribution whose code serves the API
    command: Callable[[int], list[str]]
    openapi_path: str
    prepare: Callable[[dict[str, str]], None]
    sign_in: Callable[[str], tuple[str, ...]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _nothing(_env: dict[str, str]) -> None:
    pass


def _migrate(env: dict[str, str]) -> None:
    subprocess.run([python(), "-m", "django", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def _fastapi_users_sign_in(base: str) -> tuple[str, ...]:
    found = []
    for user in ("alice", "bob"):
        email, password = f"{user}@example.org", f"{user}-password-1"
        reply = httpx.post(f"{base}/auth/register", json={"email": email, "password": password})
        reply.raise_for_status()
        found.append(f"--oauth2-password={email}:{password}")
    return tuple(found)


def _djoser_sign_in(base: str) -> tuple[str, ...]:
    found = []
    for user in ("alice", "bob"):
        pair = {"username": user, "password": f"{user.title()}-password-1"}
        httpx.post(f"{base}/auth/users/", json=pair).raise_for_status()
        reply = httpx.post(f"{base}/auth/token/login/", json=pair)
        reply.raise_for_status()
        found.append(f"--header=Authorization: Token {reply.json()['auth_token']}")
    return tuple(found)


def _fab_sign_in(base: str) -> tuple[str, ...]:
    login = {"username": "admin", "password": "admin-password", "provider": "db"}
    reply = httpx.post(f"{base}/api/v1/security/login", json=login)
    reply.raise_for_status()
    return (f"--token={reply.json()['access_token']}",)


SERVICES: dict[str, _Recipe] = {
    recipe.name: recipe
    for recipe in (
        _Recipe(
            "fastapi-users",
            "fastapi-users",
            lambda port: [
                python(),
                "-m",
                "uvicorn",
                "tests.live.oss.fastapi_users_app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            "/openapi.json",
            _nothing,
            _fastapi_users_sign_in,
        ),
        _Recipe(
            "djoser",
            "djoser",
            lambda port: [
                python(),
                "-m",
                "django",
                "runserver",
                "--noreload",
                f"127.0.0.1:{port}",
            ],
            "/openapi.json",
            _migrate,
            _djoser_sign_in,
        ),
        _Recipe(
            "flask-appbuilder",
            "flask-appbuilder",
            lambda port: [
                python(),
                "-m",
                "flask",
                "--app",
                "tests.live.oss.fab_app",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--with-threads",
            ],
            "/api/v1/_openapi",
            _nothing,
            _fab_sign_in,
        ),
    )
}


@contextlib.contextmanager
def start(name: str, data: Path) -> Iterator[Service]:
    """Serve ``name`` with its data and log in ``data``; stop it on exit."""
    recipe = SERVICES[name]
    port = _free_port()
    env = {
        **os.environ,
        "OSS_DATA": str(data),
        "DJANGO_SETTINGS_MODULE": "tests.live.oss.djoser_site",
        "PYTHONPATH": str(ROOT),
    }
    recipe.prepare(env)
    log_path = data / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            recipe.command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}{recipe.openapi_path}", timeout=2).status_code < 500:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield Service(name, base, base + recipe.openapi_path, recipe.sign_in(base))
    finally:
        server.terminate()
        server.wait(timeout=10)
