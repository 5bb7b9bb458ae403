"""The contract gate's measurement: schemathesis (its CLI, in its own process) with a report file.

Failures are read from schemathesis's JSON run report by their stable codes:
ST101/ST102 are server errors; ST103-ST111 are responses that break the
documented status codes, content types, headers or schemas.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from backend_agent.verify.live.client import auth_header
from backend_agent.verify.live.process import Finished, run_measured

__all__ = ["SCHEMA_CODES", "SERVER_CODES", "ContractRun", "run_contract", "schemathesis_available"]

SERVER_CODES = frozenset({"ST101", "ST102"})
SCHEMA_CODES = frozenset({f"ST1{n:02d}" for n in range(3, 12)})
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
TOKEN_VARIABLE = "BACKEND_AGENT_CONTRACT_TOKEN"  # noqa: S105 - a variable name


@dataclass(frozen=True)
class ContractRun:
    """One schemathesis run and what its report says."""

    name: str
    finished: Finished
    report: Path
    junit: Path
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def cases(self) -> int:
        """Test cases schemathesis generated and sent."""
        return int(self.data.get("test_cases", {}).get("generated", 0))

    def failures(self, codes: frozenset[str]) -> int:
        """Unique failures whose code is in ``codes``."""
        return sum(int(f.get("count", 1)) for f in self._failures() if f.get("code") in codes)

    def other_failures(self) -> list[dict[str, Any]]:
        """Failures that are neither server errors nor schema violations."""
        known = SERVER_CODES | SCHEMA_CODES
        return [f for f in self._failures() if f.get("code") not in known]

    def describe(self, codes: frozenset[str]) -> list[str]:
        """``ST103 Undocumented status code: POST /x, GET /y`` for each failure in ``codes``."""
        return [
            f"{f.get('code')} {f.get('title')}: {', '.join(f.get('operations', []))}"
            for f in self._failures()
            if f.get("code") in codes
        ]

    @property
    def errors(self) -> int:
        """Test cases that errored (the run could not check them)."""
        return int(self.data.get("test_cases", {}).get("errored", 0)) + len(
            self.data.get("errors", [])
        )

    def tested(self) -> set[str]:
        """The operations (``GET /x``) schemathesis sent cases to, read from its JUnit report."""
        try:
            root = ElementTree.parse(self.junit).getroot()  # noqa: S314 - our own child's file
        except (OSError, ElementTree.ParseError):
            return set()
        return {str(case.get("name")) for case in root.iter("testcase") if case.get("name")}

    def checked_by_operation(self) -> dict[str, int]:
        """Cases whose responses were checked, per operation and over every phase."""
        rates = self.data.get("valid_rates", {})
        return {
            operation: sum(int(n) for phase in phases.values() for n in phase.values())
            for operation, phases in rates.items()
            if isinstance(phases, dict)
        }

    @property
    def log(self) -> Path:
        """The file schemathesis's own output went to."""
        return self.report.with_name(f"{self.name}.log")

    def _failures(self) -> list[dict[str, Any]]:
        return list(self.data.get("failures", []))


def schemathesis_available() -> bool:
    """Whether schemathesis is importable by this Python."""
    return importlib.util.find_spec("schemathesis") is not None


def run_contract(
    *,
    name: str,
    schema: Path,
    base_url: str,
    token: str | None,
    max_examples: int,
    budget_seconds: float,
    seed: int,
    workdir: Path,
    reports: Path,
    include_path_regex: str | None = None,
    exclude_path_regex: str | None = None,
    tick: Callable[[float], None] | None = None,
) -> ContractRun:
    """Run schemathesis on ``schema`` against ``base_url``; reports go to ``reports``."""
    config = reports / f"{name}.schemathesis.toml"
    lines = ["# Written by backend-agent; the credential comes from the environment."]
    header = auth_header(token) if token else None
    if header:
        lines.append(f'headers = {{ {json.dumps(header[0])} = "${{{TOKEN_VARIABLE}}}" }}')
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report, junit = reports / f"{name}.report.json", reports / f"{name}.junit.xml"
    for stale in (report, junit):
        stale.unlink(missing_ok=True)
    args = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
        "run", str(schema), "--url", base_url.rstrip("/"),
        "--checks", ",".join(CHECKS),
        "--max-examples", str(max_examples), "--seed", str(seed),
        "--request-timeout", "10", "--generation-database", "none",
        "--report", "json,junit", "--report-json-path", str(report),
        "--report-junit-path", str(junit),
    ]  # fmt: skip
    if include_path_regex:
        args += ["--include-path-regex", include_path_regex]
    if exclude_path_regex:
        args += ["--exclude-path-regex", exclude_path_regex]
    finished = run_measured(
        args,
        cwd=workdir,
        output=reports / f"{name}.log",
        timeout=budget_seconds,
        env={TOKEN_VARIABLE: header[1]} if header else {},
        tick=tick,
    )
    if finished.timed_out:
        error = f"schemathesis did not finish within its budget of {budget_seconds:.0f} s"
        return ContractRun(name, finished, report, junit, error=error)
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        error = f"schemathesis wrote no report (exit {finished.exit_code})"
        return ContractRun(name, finished, report, junit, error=error)
    return ContractRun(name, finished, report, junit, data)
