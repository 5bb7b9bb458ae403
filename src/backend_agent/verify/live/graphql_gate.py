"""The GraphQL contract gate: operations drawn from the service's GraphQL schema, sent to
``/graphql`` by ``graphql_fuzz`` in its own process; its figures name that command, its
exit code and its report."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from backend_agent.figures import Figure, Gate, GateStatus
from backend_agent.verify.gates import GateResult
from backend_agent.verify.live.graphql_fuzz import TOKEN_VARIABLE
from backend_agent.verify.live.options import Evidence, LiveOptions
from backend_agent.verify.live.process import run_measured

__all__ = ["GRAPHQL_FIGURES", "graphql_gate"]

GRAPHQL_FIGURES = ("graphql_contract_cases", "graphql_server_errors", "graphql_protocol_violations")


def _gate(status: GateStatus, message: str, figures: dict[str, Figure]) -> GateResult:
    gate = Gate(name="graphql", status=status, message=message, figures=tuple(figures))
    return GateResult(gate, figures)


def graphql_gate(
    *,
    schema: Path,
    base_url: str,
    token: str | None,
    ev: Evidence,
    options: LiveOptions,
    tick: Callable[[float], None] | None = None,
) -> GateResult:
    """Fuzz ``base_url``/graphql with operations drawn from ``schema``."""
    report = ev.reports / "graphql.report.json"
    report.unlink(missing_ok=True)
    args = [
        sys.executable, "-m", "backend_agent.verify.live.graphql_fuzz",
        "--schema", str(schema), "--url", f"{base_url.rstrip('/')}/graphql",
        "--max-examples", str(options.contract_max_examples),
        "--seed", str(options.contract_seed),
        "--budget-seconds", str(options.contract_budget_seconds),
        "--report", str(report),
    ]  # fmt: skip
    finished = run_measured(
        args,
        cwd=ev.reports,
        output=ev.reports / "graphql.log",
        timeout=options.contract_budget_seconds + 60,
        env={TOKEN_VARIABLE: token} if token else {},
        tick=tick,
    )
    log = ev.artifact(ev.reports / "graphql.log")
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        reason = f"the GraphQL fuzzer wrote no report (exit {finished.exit_code}); see {log}"
        figures = {n: Figure.not_measured(reason) for n in GRAPHQL_FIGURES}
        return _gate("failed", reason, figures)
    values = {
        "graphql_contract_cases": (int(data["cases"]), "cases"),
        "graphql_server_errors": (int(data["server_errors"]), "failures"),
        "graphql_protocol_violations": (int(data["protocol_violations"]), "failures"),
    }
    figures = {
        name: Figure(
            value=value,
            unit=unit,
            command=finished.command,
            exit_code=finished.exit_code,
            artifact=ev.artifact(report),
            note=f"the failing operations and their answers: {ev.artifact(report)}",
        )
        for name, (value, unit) in values.items()
    }
    problems = []
    fields = len(data.get("by_field", {}))
    if finished.timed_out:
        problems.append(f"the fuzzer did not finish within its budget; see {log}")
    if not fields:
        problems.append("no operation of the schema was sent")
    elif data.get("refused_before_graphql", 0) >= values["graphql_contract_cases"][0]:
        # Every answer was the HTTP envelope (a revoked token, a rate limit): nothing of
        # GraphQL was measured.
        problems.append(f"every operation was refused before GraphQL ran; see {log}")
    for name, (value, _) in values.items():
        if name != "graphql_contract_cases" and value:
            kinds = {f["verdict"] for f in data.get("failures", [])}
            problems.append(f"{value} {name.removeprefix('graphql_').replace('_', ' ')}: "
                            f"{'; '.join(sorted(kinds))}; see {ev.artifact(report)}")  # fmt: skip
    if problems:
        return _gate("failed", "; ".join(problems), figures)
    cases = values["graphql_contract_cases"][0]
    return _gate("passed", f"{cases} cases over {fields} root fields, 0 server errors", figures)
