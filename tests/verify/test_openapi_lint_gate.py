"""The openapi_lint gate: linter reports read around their notices, missing linters found out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from backend_agent.verify import FakeRunner, Thresholds
from backend_agent.verify.gates import Workspace
from backend_agent.verify.openapi_lint import (
    Counts,
    Linters,
    find_linters,
    redocly_counts,
    run_openapi_lint,
    spectral_counts,
)

NOTICE = "  ╔════╗\n  ║ Node.js 20 support is ending ║\n  ╚════╝\n"
LINTERS = Linters(Path("/opt/node/redocly"), Path("/opt/node/spectral"))


@pytest.mark.parametrize(
    ("output", "counts"),
    [
        ('{"totals": {"errors": 14, "warnings": 7, "ignored": 0}}', Counts(14, 7)),
        (NOTICE + '{\n  "totals": {"errors": 0, "warnings": 3}\n}\n' + NOTICE, Counts(0, 3)),
        ("validating app/openapi.json...\nSomething broke", None),
        ("[]", None),
    ],
)
def test_redocly_counts_come_from_its_json_totals(output: str, counts: Counts | None) -> None:
    assert redocly_counts(output) == counts


@pytest.mark.parametrize(
    ("output", "counts"),
    [
        ("[]", Counts(0, 0)),
        (
            json.dumps([{"severity": 0}, {"severity": 1}, {"severity": 1}, {"severity": 2}]),
            Counts(1, 2),
        ),
        ("Error running Spectral!\n" + json.dumps([{"severity": 0}]), Counts(1, 0)),
        ("No ruleset has been found", None),
    ],
)
def test_spectral_counts_errors_and_warnings_apart(output: str, counts: Counts | None) -> None:
    assert spectral_counts(output) == counts


def _workspace(tmp_path: Path, answers: dict[str, tuple[int, str]]) -> tuple[Workspace, FakeRunner]:
    project = tmp_path / "demo"
    (project / "app").mkdir(parents=True)
    (project / "app" / "openapi.json").write_text('{"openapi": "3.1.0"}')
    reports = project / "reports"
    reports.mkdir()

    def respond(args: Sequence[str], _cwd: Path) -> tuple[int, str]:
        return answers[Path(str(args[0])).name]

    runner = FakeRunner(respond)
    return Workspace(project, Path("python"), runner, reports, Thresholds()), runner


def test_the_gate_sums_both_linters_and_fails_on_any_error(tmp_path: Path) -> None:
    ws, runner = _workspace(
        tmp_path,
        {
            "redocly": (0, NOTICE + '{"totals": {"errors": 0, "warnings": 2}}'),
            "spectral": (1, json.dumps([{"severity": 0}, {"severity": 1}])),
        },
    )
    result = run_openapi_lint(ws, LINTERS)
    assert result.gate.status == "failed"
    assert result.figures["openapi_lint_errors"].value == 1
    assert result.figures["openapi_lint_warnings"].value == 3
    assert result.gate.message.startswith("1 error(s), 3 warning(s)")
    # Both ran on the designed document, Redocly with its recommended rules.
    assert [call[-1] for call in runner.calls] == [str(ws.project / "app" / "openapi.json")] * 2
    assert "--extends=recommended" in runner.calls[0]
    ruleset = Path(runner.calls[1][runner.calls[1].index("--ruleset") + 1])
    assert "spectral:oas" in ruleset.read_text()
    assert (ws.project / str(result.figures["openapi_lint_errors"].artifact)).is_file()


def test_the_gate_passes_with_warnings_only(tmp_path: Path) -> None:
    ws, _ = _workspace(
        tmp_path,
        {"redocly": (0, '{"totals": {"errors": 0, "warnings": 3}}'), "spectral": (0, "[]")},
    )
    result = run_openapi_lint(ws, LINTERS)
    assert (result.gate.status, result.figures["openapi_lint_errors"].value) == ("passed", 0)


def test_a_linter_without_a_report_fails_the_gate(tmp_path: Path) -> None:
    ws, _ = _workspace(
        tmp_path, {"redocly": (2, "Unknown argument: --extends"), "spectral": (0, "[]")}
    )
    result = run_openapi_lint(ws, LINTERS)
    assert result.gate.status == "failed"
    assert "did not produce a report" in result.gate.message


def test_without_linters_or_document_the_gate_is_not_measured(tmp_path: Path) -> None:
    ws, runner = _workspace(tmp_path, {})
    missing = run_openapi_lint(ws, None)
    assert missing.gate.status == "not_measured"
    assert missing.figures["openapi_lint_errors"].value is None
    (ws.project / "app" / "openapi.json").unlink()
    no_document = run_openapi_lint(ws, LINTERS)
    assert no_document.gate.status == "not_measured"
    assert "app/openapi.json" in no_document.gate.message
    assert runner.calls == []


def test_linters_are_found_in_the_folder_the_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKEND_AGENT_NODE_BIN", str(tmp_path))
    assert find_linters() is None
    for name in ("redocly", "spectral"):
        (tmp_path / name).write_text("")
    assert find_linters() is None  # not executable
    for name in ("redocly", "spectral"):
        (tmp_path / name).chmod(0o755)
    assert find_linters() == Linters(tmp_path / "redocly", tmp_path / "spectral")
