"""Every example builds into a service whose own tests pass on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import subprocess

from tests.e2e.conftest import Built, Server


def test_build_passes_every_gate(built: Built) -> None:
    delivery = built.delivery
    failed = [f"{g.name}: {g.message}" for g in delivery.gates if g.status == "failed"]
    assert delivery.status == "completed", failed


def test_generated_tests_pass_on_sqlite_and_postgresql(built: Built) -> None:
    figures = built.delivery.figures
    for suffix in ("", "_postgresql"):
        assert figures[f"tests_failed{suffix}"].value == 0
        passed = figures[f"tests_passed{suffix}"].value
        assert isinstance(passed, int)
        assert passed >= 30
    assert figures["migration_roundtrip"].value is True
    assert figures["migration_roundtrip_postgresql"].value is True


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
    assert figures["load_error_rate"].value == 0
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
