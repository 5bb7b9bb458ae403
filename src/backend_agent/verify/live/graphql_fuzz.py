"""The GraphQL contract gate's measurement: operations drawn from the schema, sent for real.

Run in its own process (as schemathesis is for REST), so the gate's figures carry a
command, its exit code and a report::

    python -m backend_agent.verify.live.graphql_fuzz --schema app/schema.graphql \\
        --url http://127.0.0.1:8000/graphql --max-examples 25 --seed 0 --report out.json

For each root field of ``Query`` and ``Mutation``, hypothesis-graphql draws operations
that follow the schema (valid arguments of every shape, nulls, odd strings) and as many
that break it once (a wrong type, a missing argument). Each is POSTed with the bearer
token in ``BACKEND_AGENT_GRAPHQL_TOKEN``, if set. A *server error* is an answer that is
not a GraphQL response a client can act on: a 5xx, a body that is not JSON, an error
whose ``extensions.code`` is ``INTERNAL_ERROR``, or a traceback in the text. A *protocol
violation* is a JSON body without ``data`` or ``errors``, or an error without a message
or a code; a 4xx in the service's error envelope (a bad token, a rate limit: refused
before GraphQL ran) is neither. The exit code is 1 when either was seen.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from graphql import build_schema
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as seeded
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

__all__ = ["REFUSED", "TOKEN_VARIABLE", "Tally", "classify", "main"]

TOKEN_VARIABLE = "BACKEND_AGENT_GRAPHQL_TOKEN"  # noqa: S105 - a variable name
KEPT_FAILURES = 20  # failures written to the report, the first ones
REFUSED = "refused before GraphQL ran"


@dataclass
class Tally:
    """What the run sent and saw, per root field and in all."""

    cases: int = 0
    refused: int = 0  # answered by the service's envelope before GraphQL ran (401, 429)
    server_errors: int = 0
    violations: int = 0
    by_field: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def add(self, name: str, document: str, status: int, text: str) -> None:
        self.cases += 1
        self.by_field[name] = self.by_field.get(name, 0) + 1
        verdict = classify(status, text)
        if verdict == REFUSED:
            self.refused += 1
            return
        if verdict is None:
            return
        if verdict.startswith("server error"):
            self.server_errors += 1
        else:
            self.violations += 1
        if len(self.failures) < KEPT_FAILURES:
            self.failures.append(
                {"field": name, "verdict": verdict, "status": status, "query": document,
                 "response": text[:2000]}
            )  # fmt: skip

    def report(self, seconds: float) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "refused_before_graphql": self.refused,
            "server_errors": self.server_errors,
            "protocol_violations": self.violations,
            "seconds": round(seconds, 2),
            "by_field": dict(sorted(self.by_field.items())),
            "failures": self.failures,
        }


def classify(status: int, text: str) -> str | None:
    """What is wrong with one answer, or ``None`` when a client can act on it
    (``REFUSED`` when the service refused it before GraphQL ran: fine, but no measure of
    GraphQL)."""
    if status >= 500:
        return f"server error: HTTP {status}"
    if "Traceback (most recent call last)" in text:
        return "server error: a traceback in the answer"
    try:
        body = json.loads(text)
    except ValueError:
        return "server error: the body is not JSON"
    if not isinstance(body, dict):
        return "protocol violation: the body is not an object"
    if 400 <= status < 500 and isinstance(body.get("error"), dict) and "code" in body["error"]:
        return REFUSED  # before GraphQL ran (a bad token, a rate limit): the envelope
    if not ({"data", "errors"} & body.keys()):
        return "protocol violation: neither data nor errors"
    errors = body.get("errors") or []
    if not isinstance(errors, list):
        return "protocol violation: errors is not a list"
    for error in errors:
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            return "protocol violation: an error without a message"
        code = (error.get("extensions") or {}).get("code")
        if not isinstance(code, str):
            return "protocol violation: an error without extensions.code"
        if code == "INTERNAL_ERROR":
            return "server error: INTERNAL_ERROR"
    return None


def _send(url: str, document: str, token: str | None, timeout: float) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"query": document}).encode("utf-8")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode("utf-8", "replace")


def _scalars() -> dict[str, Any]:
    """Values for the schema's own scalars, as GraphQL literals."""
    text = st.text(max_size=40)
    return {
        "DateTime": st.one_of(
            st.datetimes(timezones=st.just(UTC)).map(lambda v: nodes.String(v.isoformat())),
            text.map(nodes.String),
        ),
        "Date": st.one_of(
            st.dates().map(lambda v: nodes.String(v.isoformat())), text.map(nodes.String)
        ),
        "Decimal": st.one_of(
            st.decimals(allow_nan=False, allow_infinity=False, places=2).map(
                lambda v: nodes.String(str(v))
            ),
            text.map(nodes.String),
        ),
        "JSON": text.map(nodes.String),
    }


def _fields(sdl: str) -> list[str]:
    schema = build_schema(sdl)
    roots = [schema.query_type, schema.mutation_type]
    return [name for root in roots if root is not None for name in root.fields]


def run(
    sdl: str, url: str, *, max_examples: int, seed: int, token: str | None, deadline: float
) -> Tally:
    """Send ``max_examples`` valid and as many invalid operations per root field."""
    tally = Tally()
    scalars = _scalars()
    for name in _fields(sdl):
        for mode in (Mode.POSITIVE, Mode.NEGATIVE):
            if time.monotonic() > deadline:
                return tally
            drawn = from_schema(sdl, fields=[name], custom_scalars=scalars, mode=mode)
            _fuzz(drawn, name, url, token, tally, max_examples, seed, deadline)
    return tally


def _fuzz(
    drawn: st.SearchStrategy[object],
    name: str,
    url: str,
    token: str | None,
    tally: Tally,
    max_examples: int,
    seed: int,
    deadline: float,
) -> None:
    @seeded(seed)
    @settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(document=drawn)
    def send(document: object) -> None:
        if time.monotonic() > deadline:
            return
        text = str(document)
        status, answer = _send(url, text, token, timeout=10)
        tally.add(name, text, status, answer)

    send()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", type=Path, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budget-seconds", type=float, default=300)
    parser.add_argument("--report", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.monotonic()
    tally = run(
        args.schema.read_text("utf-8"),
        args.url,
        max_examples=args.max_examples,
        seed=args.seed,
        token=os.environ.get(TOKEN_VARIABLE) or None,
        deadline=started + args.budget_seconds,
    )
    report = tally.report(time.monotonic() - started)
    args.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    out = sys.stdout
    out.write(
        f"{report['cases']} cases, {report['server_errors']} server errors, "
        f"{report['protocol_violations']} protocol violations in {report['seconds']} s\n"
    )
    for failure in tally.failures[:5]:
        out.write(f"- {failure['field']}: {failure['verdict']}\n  {failure['query']!r}\n")
    return 1 if tally.server_errors or tally.violations else 0


if __name__ == "__main__":
    sys.exit(main())
