"""Speed of the generated blog service, side by side with a hand-written baseline and a
lean ceiling, on the same schema, data and endpoints (issue #7).

    .venv/bin/python bench/speed/run.py                  # 3 rounds x 5 s, both databases
    .venv/bin/python bench/speed/run.py --quick          # a smoke run, about a minute
    .venv/bin/python bench/speed/run.py --databases postgresql --profile

Each app runs with one worker in its own process; wrk loads GET-by-id (random existing
ids), the list (limit 20) and an authenticated POST, in interleaved rounds. The table
gives the median req/s over rounds, the median p50/p95/p99, every error wrk counted,
and the ratios generated/baseline and generated/ceiling; the JSON in results/ has every
run. Servers and scratch databases are removed at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import loadgen
import seed
import servers
from loadgen import ENDPOINTS, Load
from servers import App

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PACKAGES = (
    "fastapi",
    "starlette",
    "pydantic",
    "pydantic-core",
    "sqlalchemy",
    "asyncpg",
    "aiosqlite",
    "uvicorn",
    "uvloop",
    "httptools",
    "granian",
    "orjson",
    "pyjwt",
    "argon2-cffi",
)
# Per issue, its Done-when as (database, endpoint, measure, threshold); every generated
# app measured (``no-fastpath`` too) is held to each.
TARGETS: dict[str, tuple[tuple[str, str, str, float], ...]] = {
    "#7": (
        ("postgresql", "get", "vs_baseline", 3.0),
        ("postgresql", "list", "vs_baseline", 3.0),
        ("postgresql", "post", "vs_baseline", 2.0),
        ("postgresql", "get", "vs_ceiling", 0.7),
        ("postgresql", "get", "p99_ms", 100.0),
        ("postgresql", "list", "p99_ms", 100.0),
        ("postgresql", "post", "p99_ms", 100.0),
        ("sqlite", "get", "vs_baseline", 5.0),
        # SQLite's writes queue for one connection per process instead of sleeping in the
        # busy handler: the default database must carry the README's main command.
        ("sqlite", "post", "vs_baseline", 2.0),
        ("sqlite", "post", "p95_ms", 100.0),
        ("sqlite", "post", "p99_ms", 200.0),
    ),
    # The ceiling on the generated service's server (granian) and its POST writing the
    # audit row in the post's transaction: the same essential work.
    "#17": (
        ("postgresql", "get", "vs_baseline", 3.0),
        ("postgresql", "list", "vs_baseline", 3.0),
        ("postgresql", "post", "vs_baseline", 2.0),
        ("postgresql", "get", "vs_ceiling", 0.8),
        ("postgresql", "post", "vs_ceiling", 0.6),
        ("postgresql", "get", "p99_ms", 100.0),
        ("postgresql", "list", "p99_ms", 100.0),
        ("postgresql", "post", "p99_ms", 100.0),
    ),
}
# The connections the targets are set at: at another count they are printed as
# "n/a" (the value, not a verdict).
TARGET_CONNECTIONS = 64


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per run (5)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument("--rows", type=int, default=100_000, help="posts to seed (100000)")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help="get,list,post")
    parser.add_argument(
        "--max-requests", type=int, default=500_000, help="cap per wrk thread and run"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 round x 2 s, 10k rows")
    parser.add_argument(
        "--project", type=Path, help="a generated blog project (default: build examples/blog.yaml)"
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=DIR[@SERVER]",
        help="also measure another generated project (e.g. a tuned copy); repeatable",
    )
    parser.add_argument(
        "--fast-path-off",
        action="store_true",
        help="also measure the generated project with FAST_PATH=false (app no-fastpath)",
    )
    parser.add_argument(
        "--server",
        choices=("auto", "uvicorn", "granian"),
        default="auto",
        help="server of the generated apps (auto: what the project's Dockerfile/README uses)",
    )
    parser.add_argument(
        "--apps", default="", help="only these apps (comma-separated names); default all"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="py-spy the generated apps on each endpoint (10 s each)",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="scheduling priority of run.py, the servers and wrk (e.g. -5 on a shared machine;"
        " needs root for < 0); PostgreSQL keeps its own",
    )
    parser.add_argument("--port", type=int, default=18700, help="first port (18700)")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="results folder")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.duration, args.rows = 1, 2, min(args.rows, 10_000)
    return args


# --- facts -------------------------------------------------------------------------


# Run by the apps' own interpreter: the versions that served, not the benchmark's.
_VERSIONS = """
import importlib.metadata, json, platform, sqlite3, sys
found = {}
for name in sys.argv[1:]:
    try:
        found[name] = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        found[name] = "not installed"
print(json.dumps({"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                  "packages": found}))
"""


def machine(python: Path) -> dict[str, Any]:
    """What the numbers were measured on: this machine, and the interpreter ``python``
    every app runs in, with its package versions."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    out = subprocess.run(
        [str(python), "-c", _VERSIONS, *PACKAGES],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    served = json.loads(out.stdout)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "python": served["python"],
        "sqlite": served["sqlite"],
        "wrk": loadgen.wrk_version(),
        "packages": served["packages"],
    }


def postgres_version() -> str:
    import asyncio

    import asyncpg

    async def ask() -> str:
        conn = await asyncpg.connect(seed.PG_ADMIN_DSN)
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()

    return asyncio.run(ask())


# --- correctness -------------------------------------------------------------------


def _normal(row: dict[str, Any]) -> dict[str, Any]:
    """A post as comparable values: UUIDs and datetimes parsed, naive times taken as UTC."""
    out = {}
    for key, value in row.items():
        if key in ("id", "owner_id"):
            value = uuid.UUID(str(value))
        elif key.endswith("_at") and isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            value = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        out[key] = value
    return out


def check(app: App, db: seed.Database, reference: dict[str, Any]) -> list[str]:
    """What is wrong with ``app``'s answers on the three endpoints (nothing, we hope)."""
    problems = []
    status, body = servers.request(app, "GET", f"/api/v1/posts/{db.ids[0]}")
    if status != 200 or not isinstance(body, dict) or body.get("success") is not True:
        return [f"GET /posts/{{id}} answered {status}: {str(body)[:200]}"]
    post = _normal(body["data"])
    reference.setdefault("post", post)
    if post != reference["post"]:
        problems.append(f"GET /posts/{{id}} data differs: {post} != {reference['post']}")
    status, body = servers.request(app, "GET", loadgen.LIST_PATH)
    if status != 200 or not isinstance(body, dict):
        return [*problems, f"GET /posts answered {status}: {str(body)[:200]}"]
    meta, ids = body.get("meta", {}), [row["id"] for row in body.get("data", [])]
    if len(ids) != 20 or meta.get("total") != db.visible or meta.get("limit") != 20:
        problems.append(f"GET /posts: {len(ids)} rows, meta {meta}, expected total {db.visible}")
    reference.setdefault("list", ids)
    if ids != reference["list"]:
        problems.append("GET /posts returns other rows or another order than the generated app")
    status, body = servers.request(
        app, "POST", "/api/v1/posts", json.loads(loadgen.POST_BODY), token=app.token
    )
    if status != 201 or not isinstance(body, dict):
        problems.append(f"POST /posts answered {status}: {str(body)[:200]}")
    elif uuid.UUID(str(body["data"]["owner_id"])) != db.poster_id:
        problems.append("POST /posts: the new post is not owned by the caller")
    elif app.role != "baseline":
        # The generated service and the ceiling write the same audit row with the post.
        audit = seed.audit_rows(db, uuid.UUID(str(body["data"]["id"])))
        if audit != [("create", "posts", db.poster_id)]:
            problems.append(f"POST /posts: audit rows {audit}, expected one create by the caller")
    return problems


# --- the runs ----------------------------------------------------------------------


def bench_database(
    kind: str, apps: list[App], args: argparse.Namespace, project: Path, workdir: Path
) -> dict[str, Any]:
    """Create, seed and load one database with every app; its runs and summary."""
    load = Load(args.duration, args.connections, args.threads, args.max_requests)
    warm = Load(1, args.connections, args.threads, args.max_requests)
    endpoints = [e for e in args.endpoints.split(",") if e]
    say(f"[{kind}] creating the database and seeding {args.rows:,} posts")
    db = seed.create(kind, workdir)
    result: dict[str, Any] = {"database": kind, "runs": [], "checks": {}}
    try:
        # The schema of the generated project; a variant may add migrations on top of it
        # (every app then reads the same, fully migrated tables).
        for path in dict.fromkeys([project] + [a.cwd for a in apps if a.role == "generated"]):
            seed.migrate(db, path, servers.environment(db.url), apps[0].python)
        started = time.monotonic()
        seed.seed(db, args.rows)
        result["seed_seconds"] = round(time.monotonic() - started, 1)
        result["visible_posts"] = db.visible
        if kind == "postgresql":
            result["server_version"] = postgres_version()
        ids_file = workdir / f"ids-{kind}.txt"
        ids_file.write_text("\n".join(db.ids) + "\n")
        try:
            reference: dict[str, Any] = {}
            for app in apps:
                say(f"[{kind}] starting {app.name}: {' '.join(app.command()[1:])}")
                servers.start(app, db.url, workdir)
                servers.login(app, seed.POSTER_EMAIL, seed.PASSWORD)
                result["checks"][app.name] = check(app, db, reference)
                seed.remove_new_posts(db)
                for problem in result["checks"][app.name]:
                    say(f"  ! {app.name}: {problem}")
            say(f"[{kind}] warming up")
            for endpoint in endpoints:
                for app in apps:
                    loadgen.run(app.url, endpoint, warm, ids_file=ids_file, token=app.token)
                    settle(app, db, kind, workdir)
                if endpoint == "post":
                    seed.remove_new_posts(db)
            for round_no in range(args.rounds):
                for endpoint in endpoints:
                    # The order turns each round, so no app always runs first (or last).
                    shift = round_no % len(apps)
                    for app in apps[shift:] + apps[:shift]:
                        busy = os.getloadavg()[0]
                        cpu = servers.cpu_seconds(app)
                        run = loadgen.run(
                            app.url, endpoint, load, ids_file=ids_file, token=app.token
                        )
                        cpu = servers.cpu_seconds(app) - cpu
                        run.update(
                            app=app.name,
                            endpoint=endpoint,
                            round=round_no + 1,
                            load_average=busy,
                            server_cpu_s=round(cpu, 2),
                            cpu_ms_per_request=1000 * cpu / max(1, run["requests"]),
                        )
                        result["runs"].append(run)
                        lat = run["latency_us"]
                        say(
                            f"[{kind}] round {round_no + 1} {endpoint:4} {app.name:12}"
                            f" {run['rps']:9.1f} req/s  p50 {lat['p50'] / 1000:7.1f} ms"
                            f"  p99 {lat['p99'] / 1000:7.1f} ms  errors {run['error_total']}"
                            f"  cpu {run['cpu_ms_per_request']:.2f} ms/req  load {busy:.1f}"
                        )
                        if app.process is None or app.process.poll() is not None:
                            raise RuntimeError(f"{app.name} died:\n{servers.tail(app)}")
                        settle(app, db, kind, workdir)
                        if endpoint == "post":
                            seed.remove_new_posts(db)
            if args.profile:
                result["profiles"] = profile(apps, db, args, ids_file)
        finally:
            for app in apps:
                servers.stop(app)
    finally:
        seed.drop(db)
    result["summary"] = summarize(result["runs"], apps)
    return result


def settle(app: App, db: seed.Database, kind: str, workdir: Path) -> None:
    """Let ``app`` finish what the last run left queued before the next run starts.

    A slow endpoint can leave up to ``--connections`` requests in the server when wrk
    stops; they would eat into the next run. A server that cannot work them off within
    the drain timeout is restarted.
    """
    if servers.drain(app, lambda: seed.busy_queries(db)):
        return
    say(f"[{kind}] {app.name} still busy after the run: restarting it")
    servers.stop(app)
    servers.start(app, db.url, workdir)
    servers.login(app, seed.POSTER_EMAIL, seed.PASSWORD)


def profile(
    apps: list[App], db: seed.Database, args: argparse.Namespace, ids_file: Path
) -> dict[str, Any]:
    import profiling

    folder = args.out / f"{STAMP}-profiles"
    folder.mkdir(parents=True, exist_ok=True)
    load = Load(max(args.duration, 10), args.connections, args.threads, args.max_requests)
    found = {}
    for app in apps:
        if app.role != "generated" or app.process is None:
            continue
        for endpoint in [e for e in args.endpoints.split(",") if e]:
            say(f"[{db.kind}] profiling {app.name} on {endpoint} ({load.duration:.0f} s)")
            out = folder / f"{db.kind}-{app.name}-{endpoint}"
            found[f"{app.name}/{endpoint}"] = profiling.record(
                app.process.pid, app.url, endpoint, load, out, ids_file=ids_file, token=app.token
            )
            if endpoint == "post":
                seed.remove_new_posts(db)
    return found


def summarize(runs: list[dict[str, Any]], apps: list[App]) -> dict[str, Any]:
    """Per endpoint and app: median req/s and latencies over rounds, errors summed, ratios."""
    summary: dict[str, Any] = {}
    for endpoint in dict.fromkeys(run["endpoint"] for run in runs):
        rows: dict[str, Any] = {}
        for app in apps:
            mine = [r for r in runs if r["endpoint"] == endpoint and r["app"] == app.name]
            if not mine:
                continue
            errors: dict[str, int] = {}
            for r in mine:
                for key, value in r["errors"].items():
                    errors[key] = errors.get(key, 0) + value
            rows[app.name] = {
                "rps": statistics.median(r["rps"] for r in mine),
                "rps_runs": [round(r["rps"], 1) for r in mine],
                **{
                    f"{p}_ms": statistics.median(r["latency_us"][p] for r in mine) / 1000
                    for p in ("p50", "p95", "p99")
                },
                "cpu_ms_per_request": statistics.median(r["cpu_ms_per_request"] for r in mine),
                "load_average": max(r["load_average"] for r in mine),
                "requests": sum(r["requests"] for r in mine),
                "errors": errors,
                "non_2xx": errors.get("status", 0),
            }
        for row in rows.values():
            for other in ("baseline", "ceiling"):
                if other in rows and rows[other]["rps"]:
                    row[f"vs_{other}"] = row["rps"] / rows[other]["rps"]
                    # The same ratio by server CPU per request: it holds up on a busy machine.
                    row[f"cpu_vs_{other}"] = rows[other]["cpu_ms_per_request"] / max(
                        row["cpu_ms_per_request"], 1e-9
                    )
        summary[endpoint] = rows
    return summary


def targets(
    results: list[dict[str, Any]], apps: list[App], connections: int = TARGET_CONNECTIONS
) -> list[dict[str, Any]]:
    """Each target of each issue, for every generated app that was measured.

    ``passed`` is ``None`` when the runs were not at :data:`TARGET_CONNECTIONS`.
    """
    verdicts = []
    by_kind = {r["database"]: r["summary"] for r in results}
    for issue, goals in TARGETS.items():
        for kind, endpoint, measure, threshold in goals:
            for app in apps:
                row = by_kind.get(kind, {}).get(endpoint, {}).get(app.name)
                if app.role != "generated" or row is None or measure not in row:
                    continue
                value = row[measure]
                passed = value < threshold if measure.endswith("_ms") else value >= threshold
                verdicts.append(
                    {
                        "issue": issue,
                        "app": app.name,
                        "database": kind,
                        "endpoint": endpoint,
                        "measure": measure,
                        "threshold": threshold,
                        "value": round(value, 2),
                        "passed": passed if connections == TARGET_CONNECTIONS else None,
                    }
                )
    return verdicts


# --- output ------------------------------------------------------------------------


def say(message: str) -> None:
    print(message, flush=True)


def table(results: list[dict[str, Any]]) -> str:
    head = (
        f"{'endpoint':8} {'app':12} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        f" {'errors':>6} {'non2xx':>6} {'gen/base':>8} {'gen/ceil':>8} {'cpu ms':>7}"
        f" {'cpu g/b':>7}  runs (req/s)"
    )
    lines = []
    for result in results:
        lines += ["", f"{result['database']} ({result['visible_posts']:,} visible posts)", head]
        for endpoint, rows in result["summary"].items():
            for name, row in rows.items():
                own = name not in ("baseline", "ceiling")

                def ratio(key: str, row: dict[str, Any] = row, own: bool = own) -> str:
                    return f"{row[key]:8.2f}" if own and key in row else " " * 8

                errors = sum(row["errors"].values())
                lines.append(
                    f"{endpoint:8} {name:12} {row['rps']:9.1f} {row['p50_ms']:8.1f}"
                    f" {row['p95_ms']:8.1f} {row['p99_ms']:8.1f} {errors:6d} {row['non_2xx']:6d}"
                    f" {ratio('vs_baseline')} {ratio('vs_ceiling')}"
                    f" {row['cpu_ms_per_request']:7.2f} {ratio('cpu_vs_baseline')[1:]}"
                    f"  {row['rps_runs']}"
                )
    lines += [
        "",
        "req/s and p50/p95/p99: medians over rounds; errors: every wrk error, summed;",
        "cpu ms: server CPU time per request (median); cpu g/b: baseline cpu ms / generated cpu ms",
    ]
    return "\n".join(lines)


def verdict_lines(verdicts: list[dict[str, Any]]) -> str:
    """The verdicts as PASS/FAIL lines (n/a: not at the targets' connections), by issue."""
    lines = []
    for issue in dict.fromkeys(v.get("issue", "#7") for v in verdicts):
        lines += ["", f"targets (issue {issue}):"]
        for v in verdicts:
            if v.get("issue", "#7") != issue:
                continue
            sign = "<" if v["measure"].endswith("_ms") else ">="
            mark = {True: "PASS", False: "FAIL", None: "n/a "}[v["passed"]]
            lines.append(
                f"  {mark} {v['app']:12} {v['database']:10} {v['endpoint']:4} {v['measure']:11}"
                f" {v['value']:8.2f} (target {sign} {v['threshold']})"
            )
    if any(v["passed"] is None for v in verdicts):
        lines.append(f"  (n/a: the targets are set at {TARGET_CONNECTIONS} connections)")
    return "\n".join(lines)


# --- main --------------------------------------------------------------------------

STAMP = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
LOAD_AT_START = os.getloadavg()


def build_project(workdir: Path) -> Path:
    from backend_agent.pipeline import build

    out = workdir / "blog"
    say(f"building examples/blog.yaml into {out}")
    build(REPO / "examples" / "blog.yaml", out, overwrite=True, run_verify=False)
    return out


def _stop_on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    if args.nice:
        # Inherited by every server and wrk run: the apps under test keep the same footing
        # against each other and gain it against unrelated work on the machine.
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        workdir = Path(tmp)
        project = (args.project or build_project(workdir)).resolve()
        say(f"preparing the environment of {project}")
        python = servers.environment_of(project)
        facts = machine(python)
        say(
            f"machine: {facts['cpu']}, {facts['cores']} cores, Python {facts['python']},"
            f" {facts['wrk']}"
        )
        if facts["packages"]["granian"] == "not installed":
            # The generated service and the ceiling are both served by granian.
            raise SystemExit(f"granian is not in {python}'s environment: pip install granian")
        apps = servers.apps_for(
            project,
            args.variant,
            server=args.server,
            first_port=args.port,
            python=python,
            fast_path_off=args.fast_path_off,
        )
        if args.apps:
            wanted = args.apps.split(",")
            apps = [app for app in apps if app.name in wanted]
        results = []
        for kind in [k for k in args.databases.split(",") if k]:
            results.append(bench_database(kind, apps, args, project, workdir))
    verdicts = targets(results, apps, args.connections)
    say(table(results))
    say(verdict_lines(verdicts))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{STAMP}.json"
    report = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "started": STAMP,
        "machine": facts,
        "config": {
            "rounds": args.rounds,
            "duration_s": args.duration,
            "connections": args.connections,
            "threads": args.threads,
            "rows": args.rows,
            "max_requests_per_thread": args.max_requests,
            "nice": args.nice,
            "load_average_at_start": LOAD_AT_START,
        },
        "apps": [
            {
                "name": a.name,
                "role": a.role,
                "server": a.server,
                "command": a.command()[1:],
                "cwd": str(a.cwd),
            }
            for a in apps
        ],
        "databases": results,
        "targets": verdicts,
    }
    path.write_text(json.dumps(report, indent=1, default=str) + "\n")
    say(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
