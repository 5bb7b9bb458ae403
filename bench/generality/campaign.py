"""A long campaign of drawn specs through generation and checks: where does the generator break?

    PYTHONPATH=. .venv/bin/python -m bench.generality.campaign --count 20 [--seed N]
        [--out /tmp/generality] [--max-entities 3] [--jobs 1] [--only 3,17]
        [--contract] [--full [--live]]

Draws ``--count`` specs that load (tests/strategies/specs.py, the seed printed first;
specs chosen to cover the most features), and for each: generates the project, then
ruff, mypy and the project's own tests (``pytest -x``) in the cached project
environment; ``--contract`` then serves each project that passed on loopback (SQLite)
and runs the contract gate alone (seed, then schemathesis against its served OpenAPI
document), a 5xx or a schema violation being the finding, and for a project that serves
GraphQL the graphql gate too (a server error or a protocol violation). ``--full`` builds with
``backend-agent build`` instead (every gate; ``--live`` adds seed, load, contract and
probes). Prints a line per spec and a JSON summary: the count, failures by class (the
failed step and its first failing test), and how often each feature and name class was
drawn. Each spec stays in ``<out>/<n>/spec.yaml`` with each step's output beside it.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from tests.strategies.specs import DrawnSpec, drawn_specs

from backend_agent.design import Blueprint, design
from backend_agent.errors import SpecError
from backend_agent.generate import generate, write_project
from backend_agent.pipeline import probe_plan
from backend_agent.spec import load_spec_text
from backend_agent.verify import SubprocessRunner
from backend_agent.verify.environment import ensure_environment
from backend_agent.verify.gates import Thresholds, Workspace
from backend_agent.verify.live import LiveOptions, live_gates

__all__ = ["draw_specs", "main"]

ROOT = Path(__file__).resolve().parents[2]


def draw_specs(count: int, draw_seed: int, *, max_entities: int) -> list[DrawnSpec]:
    """``count`` drawn specs that the loader accepts, the same ones for the same seed."""
    found: list[DrawnSpec] = []
    texts: set[str] = set()
    # Hypothesis draws its smallest specs first: draw several times the count and keep a
    # seeded sample, so the campaign's specs span small and large ones.
    wanted = count * 5

    @seed(draw_seed)
    @settings(
        max_examples=count * 40,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(drawn_specs(max_entities=max_entities))
    def collect(drawn: DrawnSpec) -> None:
        if len(found) >= wanted or drawn.text in texts:
            return
        try:
            load_spec_text(drawn.text)
        except SpecError:
            return
        texts.add(drawn.text)
        found.append(drawn)

    collect()
    random.Random(draw_seed).shuffle(found)
    return _spread(found, count)


def _spread(candidates: list[DrawnSpec], count: int) -> list[DrawnSpec]:
    """``count`` candidates, each chosen for the most features the others lack yet."""
    chosen: list[DrawnSpec] = []
    covered: set[str] = set()
    pool = list(candidates)
    while pool and len(chosen) < count:
        best = max(pool, key=lambda d: (len(d.features - covered), len(d.features)))
        pool.remove(best)
        chosen.append(best)
        covered |= best.features
    return chosen


def _failed_gate(report: dict[str, Any]) -> str | None:
    """The first gate the build's JSON report marks as failed (None: all passed)."""
    gates = report.get("gates") or report.get("report", {}).get("gates") or []
    if isinstance(gates, dict):
        gates = [
            {"name": k, **(v if isinstance(v, dict) else {"status": v})} for k, v in gates.items()
        ]
    for gate in gates:
        status = str(gate.get("status", gate.get("passed", ""))).lower()
        if status in ("failed", "fail", "false", "error"):
            return str(gate.get("name", "?"))
    return None


def build_one(drawn: DrawnSpec, work: Path, *, live: bool) -> tuple[str, float]:
    """Build one drawn spec in ``work``; its outcome class and the seconds it took."""
    work.mkdir(parents=True, exist_ok=True)
    spec = work / "spec.yaml"
    spec.write_text(drawn.text, encoding="utf-8")
    command = [
        str(ROOT / ".venv" / "bin" / "backend-agent"), "build", str(spec),
        "-o", str(work / "project"), "--overwrite", "--json",
    ]  # fmt: skip
    command += ["--seed-rows", "200", "--load-seconds", "1"] if live else ["--no-live"]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=1800)
    seconds = time.perf_counter() - started
    (work / "build.out").write_text(result.stdout + "\n" + result.stderr, encoding="utf-8")
    if "Traceback" in result.stderr:
        return "crash: " + result.stderr.strip().splitlines()[-1][:100], seconds
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return f"exit {result.returncode}: no JSON report", seconds
    gate = _failed_gate(report)
    if gate is None and result.returncode != 0:
        gate = f"exit {result.returncode}"
    return ("passed" if gate is None else f"gate: {gate}"), seconds


def check_one(drawn: DrawnSpec, work: Path, *, contract: bool = False) -> tuple[str, float]:
    """Generate one drawn spec in ``work``, then ruff, mypy and its tests (stopping at the
    first failure), and with ``contract`` the contract gate on the served project; its
    outcome class and the seconds it took."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "spec.yaml").write_text(drawn.text, encoding="utf-8")
    started = time.perf_counter()
    project = work / "project"
    try:
        blueprint = design(load_spec_text(drawn.text, "spec.yaml"))
        write_project(generate(blueprint), project, overwrite=True)
    except Exception as exc:  # any exception here is the finding itself
        return f"crash: generate: {type(exc).__name__}: {str(exc)[:100]}", 0.0
    python = ensure_environment(project, SubprocessRunner(), work / "env.log")
    # One cache per worker thread: mypy's cache is not safe to share between processes
    # running at once (an INTERNAL ERROR with --jobs 2).
    mypy_cache = str(work.parent / f".mypy_cache-{threading.current_thread().name}")
    steps = {
        "ruff": [str(ROOT / ".venv" / "bin" / "ruff"), "check", "."],
        # One cache for each worker: the libraries are checked once, not per spec.
        "mypy": [
            *(sys.executable, "-m", "mypy", "--python-executable", str(python)),
            *("--cache-dir", mypy_cache, "app"),
        ],
        "tests": [str(python), "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"],
    }
    # Every step runs even after one fails, so a lint finding does not hide a failing test.
    failures = []
    for step, command in steps.items():
        try:
            result = subprocess.run(
                command, cwd=project, capture_output=True, text=True, check=False, timeout=900
            )
        except subprocess.TimeoutExpired:
            failures.append(f"{step}: timed out after 900 s")
            continue
        (work / f"{step}.out").write_text(result.stdout + result.stderr, encoding="utf-8")
        if result.returncode != 0:
            failures.append(f"{step}: {_first_failure(step, result.stdout)}")
    if contract and not failures:
        failures += contract_findings(blueprint, project, python, work)
    return " | ".join(failures) or "passed", time.perf_counter() - started


# Enough seeded rows and cases to reach every operation, in about a minute a spec.
CONTRACT_OPTIONS = LiveOptions(
    gates=("seed", "contract", "graphql"),  # graphql: for the projects that serve it
    seed_rows=40,
    seed_related_rows=5,
    contract_max_examples=10,
)
FINDINGS = (
    "contract_server_errors",
    "contract_schema_violations",
    "graphql_server_errors",
    "graphql_protocol_violations",
)


def contract_findings(blueprint: Blueprint, project: Path, python: Path, work: Path) -> list[str]:
    """Serve ``project`` and run the contract gate alone: its failures as outcome classes."""
    reports = work / "reports"
    reports.mkdir(exist_ok=True)
    ws = Workspace(project, python, SubprocessRunner(), reports, Thresholds())
    results = live_gates(ws, plan=probe_plan(blueprint), options=CONTRACT_OPTIONS)
    findings = []
    for result in results:
        if result.gate.name not in CONTRACT_OPTIONS.gates or result.gate.status == "passed":
            continue
        bad = {
            name: figure.value
            for name, figure in result.figures.items()
            if name in FINDINGS and figure.value
        }
        detail = ", ".join(f"{name} {value}" for name, value in bad.items()) or result.gate.message
        findings.append(f"{result.gate.name}: {result.gate.status}: {detail[:100]}")
    return findings


def _first_failure(step: str, output: str) -> str:
    """The failing test (without its parameters), or the first finding's code."""
    if step == "tests":
        failed = re.search(r"^(?:FAILED|ERROR) (\S+?)(?:\[|\s|$)", output, re.MULTILINE)
        return failed.group(1) if failed else "failed"
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[0][:100] if lines else "failed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", type=Path, default=Path("/tmp/generality"))
    parser.add_argument("--max-entities", type=int, default=3)
    parser.add_argument(
        "--full", action="store_true", help="build with `backend-agent build` (every gate)"
    )
    parser.add_argument("--live", action="store_true", help="with --full: the live gates too")
    parser.add_argument(
        "--contract", action="store_true", help="the contract gate on each project that passed"
    )
    parser.add_argument("--jobs", type=int, default=1, help="specs checked at once")
    parser.add_argument(
        "--only",
        default="",
        help="check only these spec numbers of the draw (comma-separated): failures again",
    )
    args = parser.parse_args(argv)
    draw_seed = args.seed if args.seed is not None else random.randrange(2**32)
    print(f"seed {draw_seed}, {args.count} specs, results under {args.out}", flush=True)
    specs = draw_specs(args.count, draw_seed, max_entities=args.max_entities)
    outcomes: collections.Counter[str] = collections.Counter()
    features: collections.Counter[str] = collections.Counter()
    rows = []

    def one(number: int, drawn: DrawnSpec) -> tuple[str, float]:
        work = args.out / f"{number:03d}"
        if args.full:
            return build_one(drawn, work, live=args.live)
        return check_one(drawn, work, contract=args.contract)

    try:
        wanted = {int(n) for n in args.only.split(",") if n.strip()}
    except ValueError:
        parser.error(f"--only takes spec numbers separated by commas, not {args.only!r}")
    if wanted - set(range(1, len(specs) + 1)):
        parser.error(f"--only names specs beyond the {len(specs)} drawn: {sorted(wanted)}")
    chosen = [(n, d) for n, d in enumerate(specs, 1) if not wanted or n in wanted]
    # Specs in parallel (each step is a child process); lines print as specs finish.
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        running = {pool.submit(one, n, d): n for n, d in chosen}
        for future in as_completed(running):
            number = running[future]
            outcome, seconds = future.result()
            for failure in outcome.split(" | "):
                outcomes[failure] += 1
            rows.append({"spec": number, "outcome": outcome, "seconds": round(seconds, 1)})
            print(f"{number:4d}  {seconds:7.1f}s  {outcome}", flush=True)
    for _, drawn in chosen:
        features.update(drawn.features)
    rows.sort(key=lambda row: int(row["spec"]))
    summary = {
        "seed": draw_seed,
        "count": len(chosen),
        "passed": outcomes["passed"],
        "failures": {k: v for k, v in outcomes.most_common() if k != "passed"},
        "features": dict(sorted(features.items())),
        "specs": rows,
    }
    print(json.dumps(summary, indent=2))
    return 0 if outcomes["passed"] == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
