"""The ``openapi_lint`` gate: Redocly and Spectral on the project's designed OpenAPI document.

Both linters are Node programs, installed by ``scripts/bootstrap`` under
``.tools/node`` of this checkout (or found on PATH, or in the folder
``BACKEND_AGENT_NODE_BIN`` names). Without them the gate is not measured, never
passed. Errors of either linter fail it; warnings are counted apart.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

from backend_agent.figures import Figure, Gate
from backend_agent.verify.gates import GateResult, Workspace
from backend_agent.verify.runner import Completed, Runner

__all__ = [
    "DOCUMENT",
    "FIGURES",
    "GATE",
    "Counts",
    "Linters",
    "find_linters",
    "lint_document",
    "redocly_counts",
    "run_openapi_lint",
    "spectral_counts",
]

GATE = "openapi_lint"
FIGURES = ("openapi_lint_errors", "openapi_lint_warnings")
DOCUMENT = Path("app") / "openapi.json"
NODE_BIN_VARIABLE = "BACKEND_AGENT_NODE_BIN"
_CHECKOUT_BIN = Path(__file__).resolve().parents[3] / ".tools" / "node" / "node_modules" / ".bin"
_SPECTRAL_RULESET = 'extends: ["spectral:oas"]\n'
# No usage reports and no update notices from a gate's run.
_QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}


@dataclass(frozen=True)
class Linters:
    """Where the two linters' executables are."""

    redocly: Path
    spectral: Path


@dataclass(frozen=True)
class Counts:
    """What one linter found."""

    errors: int
    warnings: int


def find_linters() -> Linters | None:
    """The linters in ``$BACKEND_AGENT_NODE_BIN`` when set, else this checkout's
    ``.tools/node``, else PATH; ``None`` when either is missing."""
    chosen = os.environ.get(NODE_BIN_VARIABLE)
    folders = [Path(chosen)] if chosen else [_CHECKOUT_BIN]
    for folder in folders:
        redocly, spectral = folder / "redocly", folder / "spectral"
        if _runnable(redocly) and _runnable(spectral):
            return Linters(redocly, spectral)
    if chosen:
        return None
    on_path = shutil.which("redocly"), shutil.which("spectral")
    if on_path[0] and on_path[1]:
        return Linters(Path(on_path[0]), Path(on_path[1]))
    return None


def _runnable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _json_in(output: str) -> Any:
    """The JSON value a linter printed, around any notices it wrote to stderr."""
    decoder = json.JSONDecoder()
    for index, char in enumerate(output):
        if char in "[{" and (index == 0 or output[index - 1] == "\n"):
            try:
                return decoder.raw_decode(output, index)[0]
            except json.JSONDecodeError:
                continue
    return None


def redocly_counts(output: str) -> Counts | None:
    """Errors and warnings from ``redocly lint --format=json``; ``None`` without a report."""
    report = _json_in(output)
    totals = report.get("totals") if isinstance(report, dict) else None
    if not isinstance(totals, dict):
        return None
    return Counts(int(totals.get("errors", 0)), int(totals.get("warnings", 0)))


def spectral_counts(output: str) -> Counts | None:
    """Errors and warnings from ``spectral lint -f json``; ``None`` without a report."""
    findings = _json_in(output)
    if not isinstance(findings, list):
        return None
    severities = [f.get("severity") for f in findings if isinstance(f, dict)]
    return Counts(severities.count(0), severities.count(1))


def lint_document(
    runner: Runner, linters: Linters, document: Path, *, cwd: Path, scratch: Path
) -> tuple[list[Completed], Counts | None]:
    """Run both linters on ``document``: their transcript and the summed counts (``None``
    when either produced no report). Spectral's ruleset file is written to ``scratch``."""
    ruleset = scratch / "spectral-ruleset.yaml"
    ruleset.write_text(_SPECTRAL_RULESET, encoding="utf-8")
    redocly = runner.run(
        [str(linters.redocly), "lint", "--extends=recommended", "--format=json", str(document)],
        cwd=cwd,
        env=_QUIET,
        timeout=300,
    )
    spectral = runner.run(
        [str(linters.spectral), "lint", "--ruleset", str(ruleset), "-f", "json", str(document)],
        cwd=cwd,
        timeout=300,
    )
    first, second = redocly_counts(redocly.output), spectral_counts(spectral.output)
    if first is None or second is None:
        return [redocly, spectral], None
    total = Counts(first.errors + second.errors, first.warnings + second.warnings)
    return [redocly, spectral], total


def run_openapi_lint(ws: Workspace, linters: Linters | None) -> GateResult:
    """Redocly (``recommended``) and Spectral (``spectral:oas``) on the designed document."""
    if linters is None:
        return _not_measured("the OpenAPI linters are not installed (run scripts/bootstrap)")
    document = ws.project / DOCUMENT
    if not document.is_file():
        return _not_measured(f"the project has no {DOCUMENT}")
    transcript, counts = lint_document(
        ws.runner, linters, document, cwd=ws.project, scratch=ws.reports
    )
    name = "openapi-lint.log"
    text = "\n".join(f"$ {r.command}\n[exit {r.exit_code}]\n{r.output}" for r in transcript)
    (ws.reports / name).write_text(text, encoding="utf-8")
    artifact = ws.artifact(name)
    if counts is None:
        message = f"a linter did not produce a report; see {artifact}"
        return GateResult(Gate(name=GATE, status="failed", message=message), {})
    command = " && ".join(r.command for r in transcript)
    exit_code = max(r.exit_code for r in transcript)

    def figure(value: int) -> Figure:
        return Figure(
            value=value, unit="findings", command=command, exit_code=exit_code, artifact=artifact
        )

    ok = counts.errors == 0
    message = f"{counts.errors} error(s), {counts.warnings} warning(s) (Redocly and Spectral)"
    gate = Gate(
        name=GATE,
        status="passed" if ok else "failed",
        message=message if ok else f"{message}; see {artifact}",
        figures=FIGURES,
    )
    return GateResult(gate, dict(zip(FIGURES, map(figure, astuple(counts)), strict=True)))


def _not_measured(reason: str) -> GateResult:
    figures = {name: Figure.not_measured(reason, unit="findings") for name in FIGURES}
    return GateResult(Gate(name=GATE, status="not_measured", message=reason), figures)
