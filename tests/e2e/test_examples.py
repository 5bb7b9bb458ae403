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
