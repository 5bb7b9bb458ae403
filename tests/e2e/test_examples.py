"""Every example builds into a service whose own tests pass on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from backend_agent.spec import load_spec
from backend_agent.verify import SubprocessRunner
from backend_agent.verify.environment import ensure_environment
from tests.conftest import EXAMPLES
from tests.e2e.conftest import REPORTS_DIR, Built, Server


def test_build_passes_every_gate(built: Built) -> None:
    delivery = built.delivery
    failed = [f"{g.name}: {g.message}" for g in delivery.gates if g.status == "failed"]
    assert delivery.status == "completed", failed
    skipped = {g.name for g in delivery.gates if g.status == "skipped"}
    assert skipped == set()


def test_the_app_serves_every_designed_operation(built: Built) -> None:
    document = json.loads((built.project / "app" / "openapi.json").read_text("utf-8"))
    designed = sum(
        method in ("get", "post", "put", "patch", "delete")
        for path in document["paths"].values()
        for method in path
    )
    assert built.delivery.figures["endpoints"].value == designed


def test_generated_tests_pass_on_sqlite_and_postgresql(built: Built) -> None:
    figures = built.delivery.figures
    for suffix in ("", "_postgresql"):
        assert figures[f"tests_failed{suffix}"].value == 0
        passed = figures[f"tests_passed{suffix}"].value
        assert isinstance(passed, int)
        assert passed >= 30
    assert figures["migration_roundtrip"].value is True
    assert figures["migration_roundtrip_postgresql"].value is True


def _postgresql_outcomes(built: Built) -> dict[tuple[str, str], set[str]]:
    """(module, test) -> what went wrong with it in the PostgreSQL run (empty: passed)."""
    junit = built.project / REPORTS_DIR / "tests_postgresql.junit.xml"
    return {
        (str(case.get("classname")), str(case.get("name"))): {child.tag for child in case}
        & {"skipped", "failure", "error"}
        for case in ET.parse(junit).getroot().iter("testcase")  # noqa: S314 - our own report
    }


def test_the_postgresql_run_shares_rate_limits_through_redis(built: Built) -> None:
    outcomes = {name: problems for (_, name), problems in _postgresql_outcomes(built).items()}
    assert outcomes["test_limit_is_shared_through_redis"] == set()  # ran and passed
    spec = load_spec(next(p for p in EXAMPLES if p.stem == built.project.name))
    if any(entity.cache for entity in spec.entities.values()):
        assert outcomes["test_two_apps_share_invalidation_through_redis"] == set()
    assert "REDIS_URL=" in str(built.delivery.figures["tests_passed_postgresql"].command)


def test_the_postgresql_run_runs_the_jobs_on_pgqueuer(built: Built) -> None:
    if not (built.project / "tests" / "test_jobs_pgqueuer.py").exists():
        return  # the spec declares no jobs
    ran = {
        name: problems
        for (module, name), problems in _postgresql_outcomes(built).items()
        if module == "tests.test_jobs_pgqueuer"
    }
    assert len(ran) >= 8
    assert all(problems == set() for problems in ran.values()), ran  # ran and passed
    for promise in ("killed_in_the_middle", "backoff_then_is_dead", "replaying", "rolled_back"):
        assert any(promise in name for name in ran), promise
    assert "JOBS_ENGINE=pgqueuer" in str(built.delivery.figures["tests_passed_postgresql"].command)


def test_generated_code_passes_strict_mypy(built: Built, tmp_path: Path) -> None:
    """The generated README promises ``mypy`` passes; the project's own config is strict.

    The types gate checked ``app`` (the config's files); this adds ``tests``, with the
    project's own mypy and the cache the gate left.
    """
    assert built.delivery.figures["type_errors"].value == 0
    python = ensure_environment(built.project, SubprocessRunner(), tmp_path / "env.log")
    result = subprocess.run(
        [str(python), "-m", "mypy", "app", "tests"],
        cwd=built.project,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_generated_coverage_is_at_least_90_percent(built: Built) -> None:
    coverage = built.delivery.figures["coverage_percent"]
    assert isinstance(coverage.value, float)
    assert coverage.value >= 90.0
    assert coverage.artifact
    assert (built.project / coverage.artifact).is_file()


def test_live_gates_measure_load_contract_and_probes(built: Built) -> None:
    figures = built.delivery.figures
    for name in ("load_rps", "load_p50_ms", "load_p95_ms", "load_p99_ms"):
        value = figures[name].value
        assert isinstance(value, float | int), name
        assert value > 0, name
    # Every load answer is a success, a 429 (counted apart) or, on a machine busy with other
    # work, a 503/504 the service gives when a request outlasts its deadline or finds the
    # pool exhausted (errors for the gate, within its limit): never a 500 or a lost socket.
    load = json.loads((built.project / ".backend-agent/reports/load.json").read_text("utf-8"))
    for run in load:
        errors = run["result"]["errors"]
        assert errors["connect"] == errors["read"] == errors["write"] == 0, run["endpoint"]
        shed = {"429", "503", "504"}
        odd = {s: n for s, n in run["result"]["statuses"].items() if s[0] != "2" and s not in shed}
        assert odd == {}, run["endpoint"]
    error_rate = figures["load_error_rate"].value
    assert isinstance(error_rate, float | int)
    assert error_rate < 0.001
    cases = figures["contract_cases"].value
    assert isinstance(cases, int)
    assert cases >= 1_000
    assert figures["contract_server_errors"].value == 0
    assert figures["contract_schema_violations"].value == 0
    passed = figures["security_probes_passed"].value
    assert isinstance(passed, int)
    assert passed > 20
    assert figures["security_probes_failed"].value == 0
    assert figures["review_findings_medium_plus"].value == 0
    assert (built.project / ".backend-agent/reports/report.html").is_file()
    if (built.project / "app" / "schema.graphql").is_file():
        graphql = json.loads(
            (built.project / ".backend-agent/reports/graphql.report.json").read_text("utf-8")
        )
        assert figures["graphql_contract_cases"].value == graphql["cases"] >= 200
        assert graphql["refused_before_graphql"] < graphql["cases"] / 2
        assert figures["graphql_server_errors"].value == 0
        assert figures["graphql_protocol_violations"].value == 0


def test_every_figure_points_at_saved_evidence(built: Built) -> None:
    for name, figure in built.delivery.figures.items():
        assert figure.measured, name
        assert (built.project / str(figure.artifact)).is_file(), name


def test_readme_walkthrough_runs_against_the_live_service(built: Built, server: Server) -> None:
    readme = (built.project / "README.md").read_text()
    match = re.search(r"<!-- walkthrough -->.*?```bash\n(.*?)```", readme, re.S)
    assert match, "the README has no walkthrough block"
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", match.group(1)],
        cwd=built.project,
        env={**server.env, "BASE_URL": server.base_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
