"""The first verification gates: tests with coverage, lint, migrations, endpoints.

Each gate runs real commands, saves their raw output under the reports
directory, and turns only what those commands printed into figures.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from backend_agent.figures import Figure, Gate
from backend_agent.verify.runner import Completed, Runner

__all__ = [
    "Counted",
    "GateResult",
    "Thresholds",
    "Workspace",
    "count_endpoints",
    "run_lint",
    "run_migrations",
    "run_review",
    "run_tests",
    "run_types",
]


@dataclass(frozen=True)
class Thresholds:
    """What a passing project must reach."""

    min_coverage: float = 90.0
    max_lint_errors: int = 0
    max_type_errors: int = 0


@dataclass(frozen=True)
class Workspace:
    """Where a gate runs and where it keeps its evidence."""

    project: Path
    python: Path
    runner: Runner
    reports: Path
    thresholds: Thresholds

    def artifact(self, name: str) -> str:
        """The path of a report file, relative to the project."""
        return str((self.reports / name).relative_to(self.project))

    def save(self, name: str, result: Completed) -> str:
        """Write a command's raw output to the reports directory; return its artifact path."""
        path = self.reports / name
        path.write_text(f"$ {result.command}\n[exit {result.exit_code}]\n{result.output}", "utf-8")
        return self.artifact(name)


@dataclass(frozen=True)
class GateResult:
    """A gate's outcome and the figures it measured."""

    gate: Gate
    figures: dict[str, Figure]


def _figure(value: int | float | bool | str, unit: str, result: Completed, artifact: str) -> Figure:
    return Figure(
        value=value,
        unit=unit,
        command=result.command,
        exit_code=result.exit_code,
        artifact=artifact,
    )


def run_tests(
    ws: Workspace,
    *,
    database_url: str | None,
    redis_url: str | None = None,
    jobs_engine: str | None = None,
    suffix: str = "",
) -> GateResult:
    """Run the project's own test suite with line and branch coverage.

    ``redis_url`` makes the suite count rate limits in that Redis (and run the tests that
    need one, such as a limit shared by two app instances); ``jobs_engine`` sets the
    suite's JOBS_ENGINE (``pgqueuer`` runs the tests of that engine).
    """
    name = f"tests{suffix}"
    junit, coverage = ws.reports / f"{name}.junit.xml", ws.reports / f"{name}.coverage.json"
    for stale in (junit, coverage):
        stale.unlink(missing_ok=True)
    args = [
        str(ws.python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
        "--cov=app", "--cov-branch", f"--cov-report=json:{coverage}",
        f"--junitxml={junit}",
    ]  # fmt: skip
    env = {"DATABASE_URL": database_url} if database_url else {}
    if redis_url:
        env["REDIS_URL"] = redis_url
    if jobs_engine:
        env["JOBS_ENGINE"] = jobs_engine
    result = ws.runner.run(args, cwd=ws.project, env=env, timeout=1800)
    log = ws.save(f"{name}.log", result)
    if not junit.exists():
        message = f"the test suite did not run (exit {result.exit_code}); see {log}"
        return GateResult(Gate(name=name, status="failed", message=message), {})
    counts = _junit_counts(junit)
    passed = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
    failed = counts["failures"] + counts["errors"]
    figures = {
        f"tests_passed{suffix}": _figure(passed, "tests", result, ws.artifact(junit.name)),
        f"tests_failed{suffix}": _figure(failed, "tests", result, ws.artifact(junit.name)),
        f"tests_skipped{suffix}": _figure(
            counts["skipped"], "tests", result, ws.artifact(junit.name)
        ),
    }
    problems = []
    if failed or result.exit_code != 0:
        problems.append(f"{failed} test(s) failed (pytest exit {result.exit_code}); see {log}")
    if not suffix:
        percent = _coverage_percent(coverage)
        if percent is None:
            figures["coverage_percent"] = Figure.not_measured("no coverage report", unit="%")
            problems.append("coverage was not measured")
        else:
            figures["coverage_percent"] = _figure(percent, "%", result, ws.artifact(coverage.name))
            if percent < ws.thresholds.min_coverage:
                problems.append(f"coverage {percent:.1f}% is below {ws.thresholds.min_coverage}%")
    status = "failed" if problems else "passed"
    message = "; ".join(problems) or f"{passed} passed"
    return GateResult(
        Gate(name=name, status=status, message=message, figures=tuple(figures)), figures
    )


def _junit_counts(path: Path) -> dict[str, int]:
    root = ET.parse(path).getroot()  # noqa: S314 - a file our own pytest run just wrote
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    return totals


def _coverage_percent(path: Path) -> float | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return round(float(data["totals"]["percent_covered"]), 2)


@dataclass(frozen=True)
class Counted:
    """A gate that counts what a tool found: passed while the count is within a limit."""

    gate_name: str
    figure: str
    unit: str
    what: str  # "ruff finding(s)"

    def gate(self, count: int, limit: int, result: Completed, artifact: str) -> GateResult:
        ok = count <= limit
        message = f"{count} {self.what}" + ("" if ok else f"; see {artifact}")
        status: Literal["passed", "failed"] = "passed" if ok else "failed"
        gate = Gate(name=self.gate_name, status=status, message=message, figures=(self.figure,))
        return GateResult(gate, {self.figure: _figure(count, self.unit, result, artifact)})


def run_lint(ws: Workspace) -> GateResult:
    """Ruff on the project, with the project's own configuration."""
    args = [sys.executable, "-m", "ruff", "check", "--output-format=json", "--no-cache", "."]
    result = ws.runner.run(args, cwd=ws.project, timeout=300)
    artifact = ws.save("ruff.json", result)
    try:
        findings = json.loads(result.output.strip() or "[]")
    except json.JSONDecodeError:
        message = f"ruff did not produce a report (exit {result.exit_code}); see {artifact}"
        return GateResult(Gate(name="lint", status="failed", message=message), {})
    counted = Counted("lint", "lint_errors", "findings", "ruff finding(s)")
    return counted.gate(len(findings), ws.thresholds.max_lint_errors, result, artifact)


_MYPY_SUMMARY = re.compile(r"^Found (\d+) errors? in \d+ files?", re.MULTILINE)


def run_types(ws: Workspace) -> GateResult:
    """mypy on the project, with the project's own configuration (strict, ``app``)."""
    # Incremental, in the project's .mypy_cache as the owner's own `mypy` keeps it: a second
    # verify of the project (after an update) checks what changed.
    args = [str(ws.python), "-m", "mypy", "--no-color-output"]
    result = ws.runner.run(args, cwd=ws.project, timeout=600)
    artifact = ws.save("mypy.txt", result)
    found = _MYPY_SUMMARY.search(result.output)
    if result.exit_code == 0:
        count = 0
    elif result.exit_code == 1 and found:
        count = int(found.group(1))
    else:
        message = f"mypy did not finish its check (exit {result.exit_code}); see {artifact}"
        return GateResult(Gate(name="types", status="failed", message=message), {})
    counted = Counted("types", "type_errors", "errors", "mypy error(s)")
    return counted.gate(count, ws.thresholds.max_type_errors, result, artifact)


def run_migrations(ws: Workspace, *, database_url: str, suffix: str = "") -> GateResult:
    """Alembic upgrade head -> downgrade base -> upgrade head on a database."""
    env = {"DATABASE_URL": database_url}
    alembic = [str(ws.python), "-m", "alembic"]
    transcript: list[Completed] = []
    for step in (["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"]):
        result = ws.runner.run([*alembic, *step], cwd=ws.project, env=env, timeout=300)
        transcript.append(result)
        if result.exit_code != 0:
            break
    name = f"migrations{suffix}.log"
    text = "\n".join(f"$ {r.command}\n[exit {r.exit_code}]\n{r.output}" for r in transcript)
    (ws.reports / name).write_text(text, encoding="utf-8")
    ok = len(transcript) == 3 and all(r.exit_code == 0 for r in transcript)
    last = transcript[-1]
    command = " && ".join(r.command for r in transcript)
    figure_name = f"migration_roundtrip{suffix}"
    figure = Figure(value=ok, command=command, exit_code=last.exit_code, artifact=ws.artifact(name))
    message = "upgrade, downgrade, upgrade" if ok else f"failed at: {last.command}; see {name}"
    return GateResult(
        Gate(
            name=f"migrations{suffix}",
            status="passed" if ok else "failed",
            message=message,
            figures=(figure_name,),
        ),
        {figure_name: figure},
    )


def run_review(ws: Workspace) -> GateResult:
    """backend-agent's own reviewer on the project, counted as its CLI counts by default.

    The JSON report holds every finding, low-confidence ones included; the gate
    counts those of medium severity or above at medium confidence or above, as
    ``review``'s text output and ``--fail-on`` do. ``--no-cache``: verify must not
    write into the user's cache folder.
    """
    args = [sys.executable, "-m", "backend_agent", "review", ".", "--format", "json", "--no-cache"]
    result = ws.runner.run(args, cwd=ws.project, timeout=600)
    artifact = ws.save("review.json", result)
    try:
        findings = json.loads(result.output.strip() or "[]") if result.exit_code in (0, 1) else None
    except json.JSONDecodeError:
        findings = None
    if not isinstance(findings, list):
        message = f"the reviewer did not produce a report (exit {result.exit_code}); see {artifact}"
        return GateResult(Gate(name="review", status="failed", message=message), {})
    serious = [f for f in findings if isinstance(f, dict) and _counted(f)]
    name = "review_findings_medium_plus"
    figure = _figure(len(serious), "findings", result, artifact).model_copy(
        update={"note": _REVIEW_NOTE}
    )
    ok = not serious
    codes = ", ".join(sorted({str(f.get("code")) for f in serious}))
    message = f"{len(serious)} finding(s) of medium severity or above" + (
        f": {codes}" if codes else ""
    )
    return GateResult(
        Gate(name="review", status="passed" if ok else "failed", message=message, figures=(name,)),
        {name: figure},
    )


_REVIEW_NOTE = (
    "findings of medium or high severity at medium or high confidence, as the review "
    "command counts them by default; low-confidence findings are in the artifact only"
)


def _counted(finding: dict[str, object]) -> bool:
    # A finding without a confidence field (an older reviewer) is counted: the gate
    # only leaves out what the reviewer itself says rests on a heuristic.
    serious = finding.get("severity") in ("medium", "high")
    return serious and finding.get("confidence", "high") in ("medium", "high")


# FastAPI's routes and plain Starlette ones (a generated GET by id is one); Starlette
# adds HEAD to every GET route, which is not an operation of its own.
_COUNT_ROUTES = """
from fastapi.routing import APIRoute
from starlette.routing import Route
from app.main import app

def walk(routes, seen):
    for route in routes:
        if isinstance(route, Route):
            if route.include_in_schema and id(route) not in seen:
                seen.add(id(route))
                methods = set(route.methods or ())
                if not isinstance(route, APIRoute) and "GET" in methods:
                    methods.discard("HEAD")
                yield from (f"{m} {route.path} ({route.name})" for m in sorted(methods))
        else:
            inner = getattr(route, "original_router", None) or route
            yield from walk(getattr(inner, "routes", []), seen)

ops = sorted(walk(app.routes, set()))
print("\\n".join(ops))
print(len(ops))
"""


def count_endpoints(ws: Workspace, *, database_url: str) -> GateResult:
    """Count the HTTP operations the real application object serves."""
    args = [str(ws.python), "-c", _COUNT_ROUTES]
    result = ws.runner.run(args, cwd=ws.project, env={"DATABASE_URL": database_url}, timeout=120)
    artifact = ws.save("endpoints.txt", result)
    lines = result.output.strip().splitlines()
    if result.exit_code != 0 or not lines or not lines[-1].isdigit():
        message = f"the application did not import (exit {result.exit_code}); see {artifact}"
        return GateResult(Gate(name="endpoints", status="failed", message=message), {})
    count = int(lines[-1])
    figures = {"endpoints": _figure(count, "operations", result, artifact)}
    return GateResult(
        Gate(
            name="endpoints", status="passed", message=f"{count} operations", figures=("endpoints",)
        ),
        figures,
    )
