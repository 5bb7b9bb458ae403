"""The verify stage: run a generated project's quality gates and report what they measured."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from backend_agent.errors import GateError
from backend_agent.figures import Delivery, Figure, Gate
from backend_agent.verify import gates
from backend_agent.verify.environment import ensure_environment
from backend_agent.verify.gates import GateResult, Thresholds, Workspace
from backend_agent.verify.live import (
    LIVE_FIGURES,
    LiveOptions,
    LiveThresholds,
    ProbePlan,
    gates_of,
    live_gates,
    messages,
    write_html_report,
)
from backend_agent.verify.live import Progress as LiveProgress
from backend_agent.verify.openapi_lint import Linters, find_linters, run_openapi_lint
from backend_agent.verify.runner import Completed, FakeRunner, Runner, SubprocessRunner

__all__ = [
    "REPORTS_DIR",
    "Completed",
    "FakeRunner",
    "Linters",
    "LiveOptions",
    "LiveSettings",
    "LiveThresholds",
    "ProbePlan",
    "Runner",
    "SubprocessRunner",
    "Thresholds",
    "unverified",
    "verify",
]

REPORTS_DIR = Path(".backend-agent") / "reports"
CORE_GATES = ("endpoints", "tests", "lint", "types", "openapi_lint", "migrations", "review")
CORE_FIGURES = (
    "endpoints",
    "tests_passed",
    "tests_failed",
    "coverage_percent",
    "migration_roundtrip",
    "lint_errors",
    "type_errors",
    "openapi_lint_errors",
    "openapi_lint_warnings",
    "review_findings_medium_plus",
)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class LiveSettings:
    """What the live gates (seed, load, contract, security) get; ``None`` skips them."""

    plan: ProbePlan | None = None
    options: LiveOptions | None = None
    thresholds: LiveThresholds | None = None
    progress: LiveProgress | None = None
    er_diagram: str | None = None


def verify(
    project: Path,
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    jobs_engine: str | None = None,
    runner: Runner | None = None,
    thresholds: Thresholds | None = None,
    progress: Progress | None = None,
    live: LiveSettings | None = None,
    linters: Linters | None = None,
) -> Delivery:
    """Run every gate on ``project`` and return the delivery message.

    ``database_url`` (PostgreSQL) adds a second run of the tests and the
    migrations on that database; ``redis_url`` runs those tests (or, without a
    database, the SQLite run) with rate limits counted in that Redis; ``jobs_engine``
    runs the PostgreSQL tests with that JOBS_ENGINE (``pgqueuer``: its own tests too). ``live``
    starts the service and measures it (seed, load, contract, security probes), on
    ``database_url`` and ``redis_url`` when given (a fresh schema first), else on a
    scratch SQLite file; without ``live`` those gates are reported as skipped. ``linters``
    (default: ``find_linters()``) lint the designed OpenAPI document; when neither is
    given nor found, that gate is not measured. The
    delivery's status comes from the gates (``Delivery.from_gates``). Raises ``GateError``
    when the gates cannot run at all (no project, dependencies that do not
    install).
    """
    project = project.resolve()
    if not (project / "app").is_dir():
        raise GateError(f"{project} has no app/ package: is it a generated project?")
    say = progress or (lambda _message: None)
    reports = project / REPORTS_DIR
    reports.mkdir(parents=True, exist_ok=True)
    run = runner or SubprocessRunner()
    say("preparing the project's environment")
    python = ensure_environment(project, run, reports / "environment.log")
    ws = Workspace(project, python, run, reports, thresholds or Thresholds())
    results: list[GateResult] = []
    with tempfile.TemporaryDirectory(prefix="backend-agent-") as scratch:
        sqlite_url = f"sqlite+aiosqlite:///{Path(scratch) / 'verify.db'}"
        say("counting the endpoints the application serves")
        results.append(gates.count_endpoints(ws, database_url=sqlite_url))
        say("running the project's tests with coverage (SQLite)")
        results.append(
            gates.run_tests(ws, database_url=None, redis_url=None if database_url else redis_url)
        )
        say("running ruff on the project")
        results.append(gates.run_lint(ws))
        say("running mypy on the project")
        results.append(gates.run_types(ws))
        say("linting the OpenAPI document (Redocly, Spectral)")
        results.append(run_openapi_lint(ws, linters or find_linters()))
        say("migrations: upgrade, downgrade, upgrade (SQLite)")
        results.append(gates.run_migrations(ws, database_url=sqlite_url))
        say("reviewing the code")
        results.append(gates.run_review(ws))
    if database_url:
        extras = "".join(
            (", Redis" if redis_url else "", f", {jobs_engine} jobs" if jobs_engine else "")
        )
        say(f"running the project's tests (PostgreSQL{extras})")
        results.append(
            gates.run_tests(
                ws,
                database_url=database_url,
                redis_url=redis_url,
                jobs_engine=jobs_engine,
                suffix="_postgresql",
            )
        )
        say("migrations: upgrade, downgrade, upgrade (PostgreSQL)")
        results.append(gates.run_migrations(ws, database_url=database_url, suffix="_postgresql"))
    if live is not None:
        on = "PostgreSQL" if database_url else "SQLite"
        say(f"serving the project on {on}: seed, load, contract, security probes")
        results.extend(
            live_gates(
                ws,
                plan=live.plan,
                options=live.options,
                thresholds=live.thresholds,
                progress=live.progress or messages(say),
                database_url=database_url,
                redis_url=redis_url,
            )
        )
    else:
        results.extend(_skipped(_live_gates(project), "switched off by the user (--no-live)"))
    if not database_url:
        results.extend(_skipped(("postgresql",), "no --database-url given"))
    delivery = _delivery(project, results, database_url=database_url, live=live is not None)
    (reports / "delivery.json").write_text(delivery.model_dump_json(indent=2) + "\n", "utf-8")
    openapi = reports / "openapi.json"
    write_html_report(
        delivery,
        reports / "report.html",
        er_diagram=live.er_diagram if live else None,
        openapi=json.loads(openapi.read_text(encoding="utf-8")) if openapi.exists() else None,
        p95_limit_ms=((live.thresholds if live else None) or LiveThresholds()).max_p95_ms,
    )
    return delivery


def unverified(project: Path, reason: str) -> Delivery:
    """The delivery of a project whose gates were all switched off (``build --no-verify``)."""
    names = (*CORE_GATES, "postgresql", *_live_gates(project))
    gates = [r.gate for r in _skipped(names, reason)]
    figures = {n: Figure.not_measured(reason) for n in (*CORE_FIGURES, *LIVE_FIGURES)}
    return Delivery.from_gates(gates, figures=figures, headline=f"{project.name}: generated")


def _live_gates(project: Path) -> tuple[str, ...]:
    """The live gates of ``project``: GraphQL's with a GraphQL schema."""
    return gates_of((project / "app" / "schema.graphql").is_file())


def _skipped(names: tuple[str, ...], reason: str) -> list[GateResult]:
    return [GateResult(Gate(name=name, status="skipped", message=reason), {}) for name in names]


def _delivery(
    project: Path, results: list[GateResult], *, database_url: str | None, live: bool
) -> Delivery:
    figures: dict[str, Figure] = {}
    for result in results:
        figures.update(result.figures)
    for name in (*CORE_FIGURES, *LIVE_FIGURES):
        figures.setdefault(name, Figure.not_measured("its gate did not run"))
    tests = figures["tests_passed"]
    passed = f"{tests.value} tests passed" if tests.value is not None else "tests not measured"
    headline = f"{project.name}: {passed}, coverage {figures['coverage_percent'].display()}"
    if live:
        headline += f", live gates served on {'PostgreSQL' if database_url else 'SQLite'}"
    return Delivery.from_gates(
        [r.gate for r in results],
        figures=figures,
        headline=headline,
        artifacts_dir=str(project / REPORTS_DIR),
    )
