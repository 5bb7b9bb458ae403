"""List latency of the generated blog service while a flood of logins hashes passwords.

Anonymous ``GET /api/v1/posts?limit=20`` readers run alone for a while, then alongside
clients that log in as fast as they can (right passwords, production argon2 cost). A
login that held a pooled connection while argon2 runs would starve the readers of
connections; the ratio of the list's p99 with and without the flood shows whether it
does. One server process, on loopback; the database is a scratch one, dropped at the end.

    .venv/bin/python bench/speed/login_flood.py                         # SQLite
    .venv/bin/python bench/speed/login_flood.py --database postgresql   # 127.0.0.1:5432
    .venv/bin/python bench/speed/login_flood.py --project /tmp/older-blog --logins 40
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import seed
import servers
from servers import App

REPO = Path(__file__).resolve().parents[2]
LIST = "/api/v1/posts?limit=20"
LOGIN = "/api/v1/auth/login"


@dataclass
class Sample:
    """What one phase measured."""

    latencies: list[float] = field(default_factory=list)  # list requests, seconds
    statuses: Counter[int] = field(default_factory=Counter)
    logins: int = 0
    login_statuses: Counter[int] = field(default_factory=Counter)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _reader(client: httpx.AsyncClient, sample: Sample, until: float) -> None:
    while time.monotonic() < until:
        started = time.perf_counter()
        response = await client.get(LIST)
        sample.latencies.append(time.perf_counter() - started)
        sample.statuses[response.status_code] += 1


async def _login(client: httpx.AsyncClient, sample: Sample, until: float, email: str) -> None:
    body = {"email": email, "password": seed.PASSWORD}
    while time.monotonic() < until:
        response = await client.post(LOGIN, json=body)
        sample.logins += 1
        sample.login_statuses[response.status_code] += 1


async def phase(app: App, *, readers: int, logins: int, seconds: float) -> Sample:
    """``readers`` list clients and ``logins`` login clients for ``seconds``."""
    sample = Sample()
    limits = httpx.Limits(max_connections=readers + logins + 4)
    timeout = httpx.Timeout(60.0)
    async with httpx.AsyncClient(base_url=app.url, limits=limits, timeout=timeout) as client:
        until = time.monotonic() + seconds
        emails = [f"author-{i % seed.AUTHORS}@example.com" for i in range(logins)]
        await asyncio.gather(
            *(_reader(client, sample, until) for _ in range(readers)),
            *(_login(client, sample, until, email) for email in emails),
        )
    return sample


def _report(name: str, sample: Sample, seconds: float) -> str:
    latencies = sample.latencies
    median = statistics.median(latencies) * 1000 if latencies else float("nan")
    return (
        f"{name:<12} list: {len(latencies):>6} requests, p50 {median:7.1f} ms, "
        f"p99 {sample.percentile(0.99) * 1000:7.1f} ms, statuses {dict(sample.statuses)}; "
        f"logins: {sample.logins / seconds:5.1f}/s, statuses {dict(sample.login_statuses)}"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, help="a generated blog (default: build one)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--readers", type=int, default=8, help="concurrent list clients")
    parser.add_argument("--logins", type=int, default=40, help="concurrent login clients")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--rows", type=int, default=2000, help="posts in the database")
    parser.add_argument("--port", type=int, default=8760)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-login-flood-") as tmp:
        workdir = Path(tmp)
        project = args.project
        if project is None:
            from backend_agent.pipeline import build

            project = workdir / "blog"
            print(f"building examples/blog.yaml into {project}", file=sys.stderr)
            build(REPO / "examples" / "blog.yaml", project, overwrite=True, run_verify=False)
        project = project.resolve()
        python = servers.environment_of(project)
        db = seed.create(args.database, workdir)
        app = App("generated", "generated", project, servers.command_of(project))
        app.port, app.python = args.port, python
        # Logins are what is measured here, not the per-address limit that guards them.
        app.extra_env = {"AUTH_RATE_LIMIT": "10000000/minute"}
        try:
            seed.migrate(db, project, servers.environment(db.url), python)
            seed.seed(db, args.rows, sample=10)
            servers.start(app, db.url, workdir)
            quiet = asyncio.run(phase(app, readers=args.readers, logins=0, seconds=args.seconds))
            flood = asyncio.run(
                phase(app, readers=args.readers, logins=args.logins, seconds=args.seconds)
            )
        finally:
            servers.stop(app)
            seed.drop(db)
    print(f"{project} on {args.database}, {args.readers} readers, {args.logins} login clients")
    print(_report("alone", quiet, args.seconds))
    print(_report("login flood", flood, args.seconds))
    ratio = flood.percentile(0.99) / quiet.percentile(0.99)
    print(f"list p99 during the flood / alone: {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
