"""What the fault tests drive: a private PostgreSQL cluster, the generated blog served by
its production server, a silent Redis, and a bounded write load with its figures."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from backend_agent.verify.live.service import MEASURED_RATE_LIMITS, free_port


def _pg_bin() -> Path:
    """Where initdb and pg_ctl are: $BACKEND_AGENT_PG_BIN, else Debian's newest version,
    else the directory of an initdb on PATH."""
    configured = os.environ.get("BACKEND_AGENT_PG_BIN")
    if configured:
        return Path(configured)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3])
    )
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    if found is None:
        raise RuntimeError("the fault tests need PostgreSQL's initdb and pg_ctl")
    return Path(found).parent


PG_BIN = _pg_bin()
LOGIN = "/api/v1/auth/login"
POSTS = "/api/v1/posts"


def _as_postgres() -> list[str]:
    """pg_ctl refuses to run as root: then the cluster runs as the ``postgres`` account."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class Cluster:
    """A PostgreSQL cluster of its own, on a free port, in a temporary directory.

    Never the machine's shared server: stopping and freezing it is what the tests do.
    """

    def __init__(self) -> None:
        # Not under pytest's tmp_path: its parents are private to the user running pytest,
        # and the cluster may run as another.
        self.base = Path(tempfile.mkdtemp(prefix="ba-faults-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self._pg(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-N", "-E", "UTF8"
        )

    def _pg(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [*_as_postgres(), str(PG_BIN / program), *args],
            capture_output=True, text=True, timeout=120, cwd=self.base,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout}\n{done.stderr}")

    def start(self) -> None:
        # fsync off: the tests kill PostgreSQL, never the machine, so the page cache keeps
        # every commit; unix sockets in the cluster's own directory.
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.base / "log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def processes(self) -> list[int]:
        """The postmaster and its children (the backends and background workers)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        return [postmaster, *children(postmaster)]

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """Every process of the cluster stopped (SIGSTOP), as a hung host would be."""
        pids = self.processes()
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its ')'.
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def port_is_free(port: int) -> bool:
    """Whether a server could listen on ``port`` (connections left in TIME_WAIT by the
    clients do not count, as servers bind with SO_REUSEADDR)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class Blog:
    """The generated blog project and the python of its environment."""

    project: Path
    python: Path


class Served:
    """The blog served by ``python -m app.server`` against ``database_url``."""

    def __init__(
        self, blog: Blog, database_url: str, log: Path, *, port: int | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        self.blog = blog
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
            "DATABASE_URL": database_url,
            "ENVIRONMENT": "production",
            "SECRET_KEY": "fault-tests-" + "k" * 40,
            "REDIS_URL": "",
            **MEASURED_RATE_LIMITS,
            **(extra_env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def run(self, *args: str) -> None:
        done = subprocess.run(
            [str(self.blog.python), *args], cwd=self.blog.project, env=self.env,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"{args} failed: {done.stdout}\n{done.stderr}")

    def start(self, timeout: float = 60.0) -> None:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [str(self.blog.python), "-m", "app.server", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=self.blog.project, env=self.env, stdout=sink, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited at start-up:\n{self.log.read_text()[-4000:]}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/health/live", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"the server did not start:\n{self.log.read_text()[-4000:]}")

    def login(self, email: str, password: str) -> str:
        reply = httpx.post(
            f"{self.base_url}{LOGIN}", json={"email": email, "password": password}, timeout=10
        )
        reply.raise_for_status()
        return str(reply.json()["data"]["access_token"])

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def prepare(
    blog: Blog, cluster: Cluster, name: str, log: Path, **kwargs: object
) -> tuple[Served, str]:
    """A fresh database ``name`` in ``cluster``, migrated, with an author; the service on it
    (not started) and the author's password."""
    subprocess.run(
        [*_as_postgres(), str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(cluster.port),
         "-U", "postgres", "-c", f'CREATE DATABASE "{name}"'],
        check=True, capture_output=True, cwd=cluster.base,
    )  # fmt: skip
    served = Served(blog, cluster.url(name), log, **kwargs)  # type: ignore[arg-type]
    password = secrets.token_hex(12)
    served.run("-m", "alembic", "upgrade", "head")
    served.run(
        "-m",
        "app.cli",
        "create-user",
        "--email=author@example.com",
        f"--password={password}",
        "--role=author",
    )
    return served, password


@dataclass
class Outcome:
    """One request of the load: when it was sent, how long it took, what came back."""

    sent: float
    seconds: float
    status: int  # 0: no answer (a transport error)
    retry_after: str | None = None
    post_id: str | None = None


@dataclass
class Load:
    """Authenticated writes from a few clients until stopped, every outcome recorded."""

    base_url: str
    token: str
    clients: int = 4
    timeout: float = 15.0
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(
            base_url=self.base_url, headers=headers, timeout=self.timeout
        ) as client:
            await asyncio.gather(*(self._client(client, n) for n in range(self.clients)))

    def stop(self) -> None:
        self._stop.set()

    async def _client(self, client: httpx.AsyncClient, number: int) -> None:
        sequence = 0
        while not self._stop.is_set():
            sequence += 1
            sent = time.monotonic()
            try:
                reply = await client.post(POSTS, json={"title": f"load {number}-{sequence}"})
            except httpx.HTTPError:
                self.outcomes.append(Outcome(sent, time.monotonic() - sent, 0))
                await asyncio.sleep(0.05)
                continue
            post_id = reply.json()["data"]["id"] if reply.status_code == 201 else None
            self.outcomes.append(
                Outcome(
                    sent,
                    time.monotonic() - sent,
                    reply.status_code,
                    reply.headers.get("retry-after"),
                    post_id,
                )
            )
            if reply.status_code >= 500:
                await asyncio.sleep(0.05)  # as a client honouring Retry-After briefly would

    def acknowledged(self) -> list[str]:
        return [o.post_id for o in self.outcomes if o.status == 201 and o.post_id]

    def between(self, start: float, end: float) -> list[Outcome]:
        return [o for o in self.outcomes if start <= o.sent <= end]


async def stored_post_ids(database_url: str) -> set[str]:
    import asyncpg

    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        rows = await connection.fetch("SELECT id::text FROM posts")
    finally:
        await connection.close()
    return {row[0] for row in rows}


class SilentServer:
    """A TCP server that accepts connections and never answers: Redis, hung."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = int(self.sock.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self.sock.close()
        for connection in self.accepted:
            connection.close()


def report(name: str, figures: dict[str, object], directory: Path | None = None) -> None:
    """Print the figures of a fault test (``pytest -s`` shows them; ``-rA`` too), and
    write them as JSON under ``BACKEND_AGENT_FAULT_FIGURES`` when that is set."""
    line = json.dumps({"fault": name, **figures}, sort_keys=True)
    target = directory or (
        Path(os.environ["BACKEND_AGENT_FAULT_FIGURES"])
        if os.environ.get("BACKEND_AGENT_FAULT_FIGURES")
        else None
    )
    if target is not None:
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{name}.json").write_text(line + "\n", encoding="utf-8")


def worst(outcomes: Sequence[Outcome]) -> float:
    return max((o.seconds for o in outcomes), default=0.0)
