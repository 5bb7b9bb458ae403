"""Turning load runs, contract runs and probe results into figures and gate verdicts."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict

from backend_agent.figures import Figure, Gate
from backend_agent.verify.gates import GateResult
from backend_agent.verify.live.contract import ContractRun
from backend_agent.verify.live.load import LoadRun
from backend_agent.verify.live.options import Evidence, LiveThresholds
from backend_agent.verify.live.probes import Probes
from backend_agent.verify.live.target import Target

__all__ = ["contract_gate", "load_gate", "security_gate"]

_PER_ENDPOINT: dict[str, tuple[str, Callable[[LoadRun], float]]] = {
    "load_rps": ("req/s", lambda r: round(r.rps, 1)),
    "load_p50_ms": ("ms", lambda r: round(r.percentile_ms("50"), 2)),
    "load_p95_ms": ("ms", lambda r: round(r.percentile_ms("95"), 2)),
    "load_p99_ms": ("ms", lambda r: round(r.percentile_ms("99"), 2)),
    "load_error_rate": ("ratio", lambda r: round(error_rate(r), 5)),
    "load_generator_cpu_percent": ("%", lambda r: round(r.cpu_percent, 1)),
}


def _result(gate: str, problems: list[str], ok: str, figures: dict[str, Figure]) -> GateResult:
    status = "failed" if problems else "passed"
    message = "; ".join(problems) if problems else ok
    return GateResult(
        Gate(name=gate, status=status, message=message, figures=tuple(figures)), figures
    )


def _by_percentile(q: str) -> Callable[[LoadRun], float]:
    def key(run: LoadRun) -> float:
        return run.percentile_ms(q)

    return key


def rate_limited(run: LoadRun) -> int:
    """Answers that were 429 Too Many Requests: the API's limit at work, not errors."""
    return int(run.result.get("statuses", {}).get("429", 0))


def error_rate(run: LoadRun) -> float:
    """Errors other than 429 over attempted requests, 0..1."""
    found = run.result.get("errors", {})
    attempted = run.requests + int(found.get("connect", 0))
    return min(1.0, (run.errors - rate_limited(run)) / attempted) if attempted else 1.0


def load_gate(
    runs: list[LoadRun],
    ev: Evidence,
    thresholds: LiveThresholds,
    *,
    skipped: Sequence[str] = (),
) -> GateResult:
    """Per-endpoint and overall load figures; p95 and error rate judged per endpoint.

    ``skipped`` names the endpoints that could not be loaded, and why, for the report.
    """
    summary = ev.reports / "load.json"
    summary.write_text(
        json.dumps(
            [
                {
                    "endpoint": r.endpoint.label,
                    "key": r.endpoint.key,
                    "command": r.finished.command,
                    "exit_code": r.finished.exit_code,
                    "connections": r.connections,
                    "generator_cpu_seconds": r.finished.cpu_seconds,
                    "seconds": r.seconds,
                    "result": r.result,
                    "error": r.error,
                    "rate_limited": rate_limited(r),
                    "raw": ev.artifact(r.output),
                    "script": ev.artifact(r.script),
                }
                for r in runs
            ]
            + [{"skipped": reason} for reason in skipped],
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    figures: dict[str, Figure] = {}
    problems: list[str] = []
    good = [r for r in runs if r.error is None]
    for run in runs:
        if run.error is not None:
            problems.append(f"{run.endpoint.label}: {run.error}; see {ev.artifact(run.output)}")
            continue
        for name, (unit, value) in _PER_ENDPOINT.items():
            figures[f"{name}.{run.endpoint.key}"] = Figure(
                value=value(run),
                unit=unit,
                command=run.finished.command,
                exit_code=run.finished.exit_code,
                artifact=ev.artifact(run.output),
                note=f"{run.endpoint.label}, {run.connections} connections",
            )
        p95 = run.percentile_ms("95")
        if p95 > thresholds.max_p95_ms:
            problems.append(
                f"p95 of {run.endpoint.label} is {p95:.1f} ms (limit {thresholds.max_p95_ms:g} ms)"
            )
        if error_rate(run) > thresholds.max_error_rate:
            problems.append(
                f"error rate of {run.endpoint.label} is {error_rate(run):.2%} "
                f"(limit {thresholds.max_error_rate:.2%}); statuses {run.result.get('statuses')}, "
                f"socket errors {run.result.get('errors')}"
            )
    if not good:
        problems = problems or ["no endpoint could be loaded"]
        for name in _PER_ENDPOINT:
            figures[name] = Figure.not_measured("no load run produced a result")
        return _result("load", problems, "", figures)
    command = " && ".join(r.finished.command for r in good)
    exit_code = max(r.finished.exit_code for r in good)
    seconds = sum(r.seconds for r in good)
    requests = sum(r.requests for r in good)
    attempted = sum(r.requests + int(r.result.get("errors", {}).get("connect", 0)) for r in good)
    overall: dict[str, tuple[float, str, str]] = {
        "load_rps": (round(requests / seconds, 1), "req/s", "all requests over all load time"),
        "load_error_rate": (
            round(sum(r.errors - rate_limited(r) for r in good) / max(attempted, 1), 5),
            "ratio", "all endpoints; 429 answers are counted apart, not as errors"
        ),
        "load_generator_cpu_percent": (
            round(100 * sum(r.finished.cpu_seconds for r in good) / seconds, 1),
            "%", "wrk's own CPU time (child rusage) over its run time, % of one core",
        ),
    }  # fmt: skip
    for q in ("50", "95", "99"):
        worst = max(good, key=_by_percentile(q))
        overall[f"load_p{q}_ms"] = (
            round(worst.percentile_ms(q), 2),
            "ms",
            f"the slowest endpoint: {worst.endpoint.label}",
        )
    for name, (number, unit, note) in overall.items():
        figures[name] = Figure(
            value=number,
            unit=unit,
            command=command,
            exit_code=exit_code,
            artifact=ev.artifact(summary),
            note=note,
        )
    ok = ", ".join(
        f"{r.endpoint.label}: {r.rps:.0f} req/s, p95 {r.percentile_ms('95'):.1f} ms"
        + (f", {rate_limited(r)} rate-limited (429)" if rate_limited(r) else "")
        for r in good
    )
    if skipped:
        ok += f"; not loaded: {'; '.join(skipped)}"
    return _result("load", problems, ok, figures)


def contract_gate(
    runs: list[ContractRun],
    ev: Evidence,
    thresholds: LiveThresholds,
    server_codes: frozenset[str],
    schema_codes: frozenset[str],
    *,
    operations: Sequence[str] = (),
    examples: int = 0,
) -> GateResult:
    """Cases, server errors and schema violations over every schemathesis run.

    Each of ``operations`` (``GET /x``) must have been sent cases; the per-operation
    counts go to ``contract.json``. Enough cases in all means ``examples`` per
    operation, but never more than the threshold asks: a small API has fewer cases
    to give than a large one.
    """
    problems: list[str] = []
    for run in runs:
        if run.error is not None:
            problems.append(f"{run.error}; see {ev.artifact(run.log)}")
    done = [r for r in runs if r.error is None]
    names = ("contract_cases", "contract_server_errors", "contract_schema_violations")
    if not done:
        figures = {n: Figure.not_measured("schemathesis produced no report") for n in names}
        return _result("contract", problems, "", figures)
    command = " && ".join(r.finished.command for r in done)
    exit_code = max(r.finished.exit_code for r in done)
    artifact = ev.artifact(done[0].report)
    cases = sum(r.cases for r in done)
    server = sum(r.failures(server_codes) for r in done)
    schema = sum(r.failures(schema_codes) for r in done)
    junit = ", ".join(ev.artifact(r.junit) for r in done)
    values = {"contract_cases": (cases, "cases"), "contract_server_errors": (server, "failures"),
              "contract_schema_violations": (schema, "failures")}  # fmt: skip
    figures = {
        name: Figure(
            value=value,
            unit=unit,
            command=command,
            exit_code=exit_code,
            artifact=artifact,
            note=f"failure details and curl reproductions: {junit}",
        )
        for name, (value, unit) in values.items()
    }
    needed = thresholds.min_contract_cases
    if examples:
        needed = min(needed, len(operations) * examples)
    if cases < needed:
        problems.append(
            f"only {cases} cases ran (at least {needed} needed: {examples} per operation for "
            f"{len(operations)} operations, at most {thresholds.min_contract_cases})"
        )
    tested = set().union(*(r.tested() for r in done))
    checked: dict[str, int] = {}
    for run in done:
        for operation, count in run.checked_by_operation().items():
            checked[operation] = checked.get(operation, 0) + count
    untested = [op for op in operations if op not in tested]
    if untested:
        problems.append(f"{len(untested)} operation(s) got no contract case: {', '.join(untested)}")
    table = ev.reports / "contract.json"
    table.write_text(
        json.dumps(
            {
                "cases": cases,
                "operations": {
                    op: {"tested": op in tested, "checked_cases": checked.get(op, 0)}
                    for op in sorted({*operations, *tested})
                },
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    if server > thresholds.max_server_errors:
        details = [d for r in done for d in r.describe(server_codes)]
        problems.append(f"{server} server error(s): {'; '.join(details)}; see {junit}")
    if schema > thresholds.max_schema_violations:
        details = [d for r in done for d in r.describe(schema_codes)]
        problems.append(f"{schema} schema violation(s): {'; '.join(details)}; see {junit}")
    for run in done:
        if run.errors:
            problems.append(
                f"{run.errors} case(s) errored in {run.name}; see {ev.artifact(run.log)}"
            )
        for other in run.other_failures():
            problems.append(f"{other.get('code')} {other.get('title')}: {other.get('operations')}")
    ok = f"{cases} cases over {len(tested)} operations, 0 server errors, 0 schema violations"
    return _result("contract", problems, ok, figures)


def security_gate(
    target: Target, probes: Probes, ev: Evidence, thresholds: LiveThresholds
) -> GateResult:
    """Probe counts; every failed probe is named in the message and in probes.json."""
    artifact = ev.reports / "probes.json"
    failed = probes.failed
    passed = len(probes.results) - len(failed)
    artifact.write_text(
        json.dumps(
            {
                "base_url": target.client.base_url,
                "requests": target.client.requests,
                "passed": passed,
                "failed": len(failed),
                "skipped": probes.skipped,
                "probes": [asdict(r) for r in probes.results],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    command = (
        f"backend-agent security probes against {target.client.base_url} "
        f"({target.client.requests} requests in-process; each one in probes.json)"
    )
    code = 1 if failed else 0
    figures = {
        "security_probes_passed": Figure(
            value=passed, unit="probes", command=command, exit_code=code,
            artifact=ev.artifact(artifact),
        ),
        "security_probes_failed": Figure(
            value=len(failed), unit="probes", command=command, exit_code=code,
            artifact=ev.artifact(artifact),
            note=f"{len(probes.skipped)} skipped" if probes.skipped else None,
        ),
    }  # fmt: skip
    problems = []
    if len(failed) > thresholds.max_probe_failures:
        shown = "; ".join(
            f"{r.kind} {r.target}: expected {r.expected}, got {r.observed}" for r in failed[:8]
        )
        more = f" (and {len(failed) - 8} more)" if len(failed) > 8 else ""
        problems.append(
            f"{len(failed)} probe(s) failed: {shown}{more}; see {ev.artifact(artifact)}"
        )
    skipped = f"; {len(probes.skipped)} skipped (see probes.json)" if probes.skipped else ""
    return _result("security", problems, f"{passed} probes passed{skipped}", figures)
