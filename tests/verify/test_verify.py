"""The verify stage with a scripted runner: figures come only from what commands printed."""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from backend_agent.errors import GateError
from backend_agent.figures import Delivery, Gate, GateStatus
from backend_agent.verify import FakeRunner, LiveSettings, SubprocessRunner, Thresholds, verify

JUNIT = (
    '<?xml version="1.0"?><testsuites><testsuite name="pytest" tests="{tests}" '
    'failures="{failures}" errors="0" skipped="1"></testsuite></testsuites>'
)


def make_project(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "openapi.json").write_text('{"openapi": "3.1.0"}')
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0"\ndependencies = ["fastapi"]\n'
        '[project.optional-dependencies]\ntest = ["pytest"]\n'
    )
    return root


class Script:
    """Answers like a healthy project unless told otherwise."""

    def __init__(self, *, failures: int = 0, coverage: float = 95.5, lint: int = 0,
                 downgrade_fails: bool = False, tests_run: bool = True,
                 review: int = 0, types: int = 0, mypy_crash: bool = False,
                 openapi_errors: int = 0) -> None:  # fmt: skip
        self.failures, self.coverage, self.lint, self.review = failures, coverage, lint, review
        self.openapi_errors = openapi_errors
        self.types, self.mypy_crash = types, mypy_crash
        self.downgrade_fails, self.tests_run = downgrade_fails, tests_run

    def __call__(self, args: Sequence[str], cwd: Path) -> tuple[int, str]:
        words = [str(a) for a in args]
        if words[0].endswith("redocly"):
            totals = {"errors": self.openapi_errors, "warnings": 3}
            return (1 if self.openapi_errors else 0), json.dumps({"totals": totals})
        if words[0].endswith("spectral"):
            return 0, json.dumps([{"code": "info-contact", "severity": 1}])
        if "venv" in words:
            python = Path(words[-1]) / "bin" / "python"
            python.parent.mkdir(parents=True)
            python.write_text("")
            return 0, ""
        if "pip" in words:
            return 0, "installed"
        if "pytest" in words:
            if not self.tests_run:
                return 4, "ImportError: no module named app"
            junit = next(w.split("=", 1)[1] for w in words if w.startswith("--junitxml="))
            Path(junit).write_text(JUNIT.format(tests=40 + self.failures, failures=self.failures))
            report = next(w.split(":", 1)[1] for w in words if w.startswith("--cov-report=json:"))
            Path(report).write_text(json.dumps({"totals": {"percent_covered": self.coverage}}))
            return (1 if self.failures else 0), f"{40 - 1} passed"
        if "backend_agent" in words and "review" in words:
            finding = {"code": "BA101", "severity": "high"}
            return (1 if self.review else 0), json.dumps([finding] * self.review)
        if "mypy" in words:
            if self.mypy_crash:
                return 2, "mypy: error: unrecognized option"
            if self.types:
                return (
                    1,
                    f"app/x.py:1: error: boom\nFound {self.types} errors in 1 file (checked 9 source files)",
                )
            return 0, "Success: no issues found in 9 source files"
        if "ruff" in words:
            return (1 if self.lint else 0), json.dumps([{"code": "F401"}] * self.lint)
        if "alembic" in words:
            failed = self.downgrade_fails and "downgrade" in words
            return (1 if failed else 0), "boom" if failed else "ok"
        if "-c" in words:
            return 0, "GET /api/v1/things\nPOST /api/v1/things\n2\n"
        raise AssertionError(f"unexpected command {words}")


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKEND_AGENT_CACHE", str(tmp_path / "cache"))


@pytest.fixture(autouse=True)
def _linters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The OpenAPI linters are "installed" here; the scripted runner answers for them."""
    folder = tmp_path / "node-bin"
    folder.mkdir()
    for name in ("redocly", "spectral"):
        (folder / name).write_text("")
        (folder / name).chmod(0o755)
    monkeypatch.setenv("BACKEND_AGENT_NODE_BIN", str(folder))


def test_a_healthy_project_reports_measured_figures(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo")
    delivery = verify(project, runner=FakeRunner(Script()))
    assert delivery.status == "completed"
    figures = delivery.figures
    assert figures["tests_passed"].value == 39
    assert figures["tests_skipped"].value == 1
    assert figures["coverage_percent"].value == 95.5
    assert figures["endpoints"].value == 2
    assert figures["lint_errors"].value == 0
    assert figures["type_errors"].value == 0
    assert figures["openapi_lint_errors"].value == 0
    assert figures["openapi_lint_warnings"].value == 4
    assert figures["migration_roundtrip"].value is True
    for name in (
        "endpoints",
        "tests_passed",
        "coverage_percent",
        "lint_errors",
        "type_errors",
        "openapi_lint_errors",
        "migration_roundtrip",
    ):
        figure = figures[name]
        assert figure.command
        assert figure.exit_code is not None
        assert (project / str(figure.artifact)).is_file()
    saved = json.loads((project / ".backend-agent/reports/delivery.json").read_text())
    assert saved["status"] == "completed"
    assert {g.name: g.status for g in delivery.gates}["postgresql"] == "skipped"
    assert figures["load_p95_ms"].display() == "not measured"
    assert (project / ".backend-agent/reports/report.html").is_file()


def test_the_environment_is_reused_when_dependencies_are_unchanged(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo")
    first = FakeRunner(Script())
    verify(project, runner=first)
    second = FakeRunner(Script())
    verify(project, runner=second)
    assert any("venv" in call for call in first.calls)
    assert not any("venv" in call or "pip" in call for call in second.calls)


@pytest.mark.parametrize(
    ("script", "gate", "message"),
    [
        (Script(failures=2), "tests", "2 test(s) failed"),
        (Script(coverage=71.25), "tests", "coverage 71.2% is below 90.0%"),
        (Script(lint=3), "lint", "3 ruff finding(s)"),
        (Script(types=4), "types", "4 mypy error(s)"),
        (Script(mypy_crash=True), "types", "mypy did not finish its check (exit 2)"),
        (Script(openapi_errors=2), "openapi_lint", "2 error(s), 4 warning(s)"),
        (Script(downgrade_fails=True), "migrations", "failed at:"),
        (Script(tests_run=False), "tests", "the test suite did not run (exit 4)"),
        (Script(review=2), "review", "2 finding(s) of medium severity or above: BA101"),
    ],
)
def test_a_failing_gate_fails_the_delivery(
    tmp_path: Path, script: Script, gate: str, message: str
) -> None:
    delivery = verify(make_project(tmp_path / "demo"), runner=FakeRunner(script))
    assert delivery.status == "failed"
    failed = {g.name: g.message for g in delivery.gates if g.status == "failed"}
    assert message in failed[gate]


def test_a_gate_that_did_not_run_is_not_measured(tmp_path: Path) -> None:
    delivery = verify(make_project(tmp_path / "demo"), runner=FakeRunner(Script(tests_run=False)))
    coverage = delivery.figures["coverage_percent"]
    assert coverage.value is None
    assert coverage.display() == "not measured"


def test_thresholds_are_configurable(tmp_path: Path) -> None:
    delivery = verify(
        make_project(tmp_path / "demo"),
        runner=FakeRunner(Script(coverage=80.0)),
        thresholds=Thresholds(min_coverage=75.0),
    )
    assert delivery.status == "completed"


def test_postgres_adds_its_own_gates(tmp_path: Path) -> None:
    runner = FakeRunner(Script())
    delivery = verify(
        make_project(tmp_path / "demo"), runner=runner, database_url="postgresql://x/y"
    )
    assert delivery.figures["tests_passed_postgresql"].value == 39
    assert delivery.figures["migration_roundtrip_postgresql"].value is True


def test_redis_url_goes_to_the_postgresql_test_run(tmp_path: Path) -> None:
    delivery = verify(
        make_project(tmp_path / "demo"),
        runner=FakeRunner(Script()),
        database_url="postgresql://x/y",
        redis_url="redis://127.0.0.1:6379/5",
    )
    assert "REDIS_URL=redis://127.0.0.1:6379/5" in str(
        delivery.figures["tests_passed_postgresql"].command
    )
    assert "REDIS_URL" not in str(delivery.figures["tests_passed"].command)


def test_jobs_engine_goes_to_the_postgresql_test_run_only(tmp_path: Path) -> None:
    delivery = verify(
        make_project(tmp_path / "demo"),
        runner=FakeRunner(Script()),
        database_url="postgresql://x/y",
        jobs_engine="pgqueuer",
    )
    command = str(delivery.figures["tests_passed_postgresql"].command)
    assert "JOBS_ENGINE=pgqueuer" in command
    assert "JOBS_ENGINE" not in str(delivery.figures["tests_passed"].command)


def test_without_a_database_redis_url_goes_to_the_sqlite_test_run(tmp_path: Path) -> None:
    delivery = verify(
        make_project(tmp_path / "demo"),
        runner=FakeRunner(Script()),
        redis_url="redis://127.0.0.1:6379/5",
    )
    assert "REDIS_URL=redis://127.0.0.1:6379/5" in str(delivery.figures["tests_passed"].command)


def test_dependencies_that_do_not_install_are_a_gate_error(tmp_path: Path) -> None:
    def broken(args: Sequence[str], cwd: Path) -> tuple[int, str]:
        return (1, "no such package") if "pip" in args else Script()(args, cwd)

    with pytest.raises(GateError, match="could not install"):
        verify(make_project(tmp_path / "demo"), runner=FakeRunner(broken))


def test_the_subprocess_runner_reports_exit_codes_and_timeouts(tmp_path: Path) -> None:
    runner = SubprocessRunner()
    ok = runner.run(["sh", "-c", "echo hi; exit 3"], cwd=tmp_path, env={"A": "1"})
    assert (ok.exit_code, ok.output, ok.command) == (3, "hi\n", "A=1 sh -c 'echo hi; exit 3'")
    slow = runner.run(["sleep", "5"], cwd=tmp_path, timeout=0.2)
    assert slow.exit_code == 124
    missing = runner.run(["no-such-command-here"], cwd=tmp_path)
    assert missing.exit_code == 127


def _live_without_wrk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live gates as they come out when wrk is missing: load not measured, others pass."""
    from backend_agent.verify.gates import GateResult

    measure_module = importlib.import_module("backend_agent.verify.live.measure")

    monkeypatch.setattr(measure_module, "wrk_path", lambda: None)
    load = measure_module._load(None, None, None, None, None, None)  # type: ignore[arg-type]

    def fake_live_gates(*_args: object, **_kwargs: object) -> list[GateResult]:
        passed = [GateResult(Gate(name=n, status="passed", message="ok"), {}) for n in
                  ("seed", "contract", "security")]  # fmt: skip
        return [passed[0], load, *passed[1:]]

    monkeypatch.setattr("backend_agent.verify.live_gates", fake_live_gates)


def test_a_gate_that_could_not_run_makes_the_delivery_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _live_without_wrk(monkeypatch)
    delivery = verify(
        make_project(tmp_path / "demo"), runner=FakeRunner(Script()), live=LiveSettings()
    )
    gates = {g.name: g for g in delivery.gates}
    assert gates["load"].status == "not_measured"
    assert delivery.status == "incomplete"
    assert delivery.exit_code == 3
    assert "wrk is not installed" in delivery.summary
    assert "not measured: load" in delivery.summary
    assert "every gate passed" not in delivery.summary


def test_gates_switched_off_are_skipped_and_do_not_fail(tmp_path: Path) -> None:
    delivery = verify(make_project(tmp_path / "demo"), runner=FakeRunner(Script()))
    gates = {g.name: g.status for g in delivery.gates}
    for name in ("seed", "load", "contract", "security", "postgresql"):
        assert gates[name] == "skipped"
    assert delivery.status == "completed"
    assert delivery.exit_code == 0
    assert "skipped: " in delivery.summary
    assert "--no-live" in delivery.summary


def test_the_cli_exits_3_when_an_asked_for_gate_could_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from backend_agent.cli import main

    _live_without_wrk(monkeypatch)
    monkeypatch.setattr("backend_agent.verify.SubprocessRunner", lambda: FakeRunner(Script()))
    project = make_project(tmp_path / "demo")
    with pytest.raises(SystemExit) as exited:
        main(["verify", str(project), "--json"])
    assert exited.value.code == 3
    delivery = json.loads(capsys.readouterr().out)
    assert delivery["status"] == "incomplete"


@pytest.mark.parametrize(
    ("states", "status", "code"),
    [
        (("passed", "skipped"), "completed", 0),
        (("passed", "not_measured", "skipped"), "incomplete", 3),
        (("failed", "not_measured"), "failed", 1),
        ((), "completed", 0),
    ],
)
def test_the_status_and_exit_code_come_from_the_gates(
    states: tuple[GateStatus, ...], status: str, code: int
) -> None:
    gates = [Gate(name=f"g{i}", status=s, message="why") for i, s in enumerate(states)]
    delivery = Delivery.from_gates(gates, figures={}, headline="demo")
    assert (delivery.status, delivery.exit_code) == (status, code)


def test_the_live_gates_run_on_the_database_and_redis_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    def fake_live_gates(*_args: object, **kwargs: object) -> list[object]:
        seen.update(kwargs)
        return []

    monkeypatch.setattr("backend_agent.verify.live_gates", fake_live_gates)
    delivery = verify(
        make_project(tmp_path / "demo"),
        runner=FakeRunner(Script()),
        database_url="postgresql://x/y",
        redis_url="redis://127.0.0.1:6379/14",
        live=LiveSettings(),
    )
    assert seen["database_url"] == "postgresql://x/y"
    assert seen["redis_url"] == "redis://127.0.0.1:6379/14"
    assert "live gates served on PostgreSQL" in delivery.summary


def test_a_delivery_cannot_claim_more_than_its_gates() -> None:
    from pydantic import ValidationError

    unmeasured = [Gate(name="load", status="not_measured", message="wrk is not installed")]
    with pytest.raises(ValidationError, match="claims more than its gates give"):
        Delivery(status="completed", summary="all gates passed", gates=unmeasured)
    assert Delivery(status="failed", summary="over budget", gates=unmeasured).exit_code == 1


def test_without_the_openapi_linters_that_gate_is_not_measured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKEND_AGENT_NODE_BIN", str(tmp_path / "nowhere"))
    delivery = verify(make_project(tmp_path / "demo"), runner=FakeRunner(Script()))
    gate = {g.name: g for g in delivery.gates}["openapi_lint"]
    assert (gate.status, delivery.status) == ("not_measured", "incomplete")
    assert "not installed" in gate.message
    assert delivery.figures["openapi_lint_errors"].display() == "not measured"
