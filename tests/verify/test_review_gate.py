"""The review gate counts findings as the review command does by default."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from backend_agent.verify import FakeRunner, Thresholds
from backend_agent.verify.gates import Workspace, run_review


def _finding(code: str, severity: str, confidence: str) -> dict[str, str]:
    return {"code": code, "severity": severity, "confidence": confidence}


def _workspace(tmp_path: Path, findings: list[dict[str, str]]) -> tuple[Workspace, FakeRunner]:
    def respond(args: Sequence[str], cwd: Path) -> tuple[int, str]:
        return (1 if findings else 0), json.dumps(findings)

    runner = FakeRunner(respond)
    reports = tmp_path / ".backend-agent" / "reports"
    reports.mkdir(parents=True)
    ws = Workspace(tmp_path, tmp_path / "python", runner, reports, Thresholds())
    return ws, runner


def test_low_confidence_and_low_severity_findings_are_not_counted(tmp_path: Path) -> None:
    findings = [
        _finding("BA201", "high", "low"),
        _finding("BA303", "low", "high"),
        _finding("BA101", "high", "medium"),
        _finding("BA104", "medium", "high"),
    ]
    ws, _ = _workspace(tmp_path, findings)
    result = run_review(ws)
    figure = result.figures["review_findings_medium_plus"]
    assert figure.value == 2
    assert figure.note is not None
    assert "medium or high confidence" in figure.note
    assert result.gate.status == "failed"
    assert result.gate.message == "2 finding(s) of medium severity or above: BA101, BA104"


def test_only_low_confidence_findings_pass_the_gate(tmp_path: Path) -> None:
    ws, _ = _workspace(tmp_path, [_finding("BA201", "high", "low")])
    result = run_review(ws)
    assert result.gate.status == "passed"
    assert result.figures["review_findings_medium_plus"].value == 0


def test_the_gate_does_not_use_the_user_cache(tmp_path: Path) -> None:
    ws, runner = _workspace(tmp_path, [])
    run_review(ws)
    (call,) = runner.calls
    assert "review" in call
    assert "--no-cache" in call
