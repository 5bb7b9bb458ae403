"""The GraphQL contract gate: what counts as a server error, and the gate run for real
(its fuzzer in its own process) against small servers that answer well and badly."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from backend_agent.verify.live.client import Client
from backend_agent.verify.live.graphql_fuzz import REFUSED, classify
from backend_agent.verify.live.graphql_gate import graphql_gate
from backend_agent.verify.live.graphql_probes import GRAPHQL_PROBES, graphql_probes
from backend_agent.verify.live.options import Evidence, LiveOptions
from backend_agent.verify.live.probes import Probes

SCHEMA = """\
type Thing { id: ID! name: String }
type Query { thing(id: ID!): Thing  things(limit: Int): [Thing!]! }
type Mutation { createThing(name: String!): Thing }
"""
GOOD = json.dumps({"data": {"thing": None}, "errors": [
    {"message": "Not found.", "extensions": {"code": "NOT_FOUND"}, "path": ["thing"]}]})  # fmt: skip


@pytest.mark.parametrize(
    ("status", "text", "verdict"),
    [
        (200, GOOD, None),
        (200, json.dumps({"data": {"things": []}}), None),
        (400, json.dumps({"errors": [{"message": "x", "extensions": {"code": "BAD"}}]}), None),
        (401, json.dumps({"success": False, "error": {"code": "INVALID_TOKEN"}}), REFUSED),
        (429, json.dumps({"success": False, "error": {"code": "RATE_LIMITED"}}), REFUSED),
        (200, json.dumps({"success": False, "error": {"code": "X"}}), "protocol violation: neither data nor errors"),
        (200, json.dumps([1]), "protocol violation: the body is not an object"),
        (500, GOOD, "server error: HTTP 500"),
        (200, "Traceback (most recent call last):\n  ...", "server error: a traceback in the answer"),
        (200, "<html>oops</html>", "server error: the body is not JSON"),
        (200, json.dumps({"result": 1}), "protocol violation: neither data nor errors"),
        (200, json.dumps({"errors": [{"message": "x"}]}), "protocol violation: an error without extensions.code"),
        (200, json.dumps({"errors": [{"extensions": {"code": "X"}}]}), "protocol violation: an error without a message"),
        (200, json.dumps({"data": None, "errors": [{"message": "x", "extensions": {"code": "INTERNAL_ERROR"}}]}), "server error: INTERNAL_ERROR"),
    ],
)  # fmt: skip
def test_what_counts_against_the_service(status: int, text: str, verdict: str | None) -> None:
    assert classify(status, text) == verdict


@contextmanager
def serving(answer: Callable[[str], tuple[int, str]]) -> Iterator[str]:
    """A GraphQL endpoint on loopback answering each query with ``answer(query)``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            sent = json.loads(self.rfile.read(length))
            self._answer(str(sent.get("query")) if isinstance(sent, dict) else "")

        def do_GET(self) -> None:
            self._answer(self.path)

        def _answer(self, query: str) -> None:
            status, text = answer(query)
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _gate(tmp_path: Path, base_url: str, schema: Path):  # type: ignore[no-untyped-def]
    reports = tmp_path / "reports"
    reports.mkdir(exist_ok=True)
    options = LiveOptions(contract_max_examples=3, contract_budget_seconds=60)
    return graphql_gate(
        schema=schema, base_url=base_url, token="t0ken", ev=Evidence(tmp_path, reports),
        options=options,
    )  # fmt: skip


def test_a_service_that_answers_every_operation_passes(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    schema.write_text(SCHEMA)
    with serving(lambda _: (200, GOOD)) as url:
        result = _gate(tmp_path, url, schema)
    assert result.gate.status == "passed", result.gate.message
    cases = result.figures["graphql_contract_cases"]
    assert cases.value is not None
    assert int(cases.value) >= 6
    assert cases.exit_code == 0
    assert cases.command is not None
    assert "graphql_fuzz" in cases.command
    assert "t0ken" not in cases.command  # the token travels in the environment
    assert cases.artifact == "reports/graphql.report.json"
    assert result.figures["graphql_server_errors"].value == 0


def test_a_service_that_breaks_on_writes_fails_with_the_count(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    schema.write_text(SCHEMA)

    def answer(query: str) -> tuple[int, str]:
        return (500, "Internal Server Error") if "createThing" in query else (200, GOOD)

    with serving(answer) as url:
        result = _gate(tmp_path, url, schema)
    assert result.gate.status == "failed"
    errors = result.figures["graphql_server_errors"]
    report = json.loads((tmp_path / "reports" / "graphql.report.json").read_text())
    assert errors.value == report["by_field"]["createThing"] > 0
    assert errors.exit_code == 1
    assert "server error: HTTP 500" in result.gate.message
    assert {f["field"] for f in report["failures"]} == {"createThing"}


def test_a_token_refused_for_every_operation_measures_nothing(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    schema.write_text(SCHEMA)
    refused = json.dumps({"success": False, "error": {"code": "INVALID_TOKEN"}})
    with serving(lambda _: (401, refused)) as url:
        result = _gate(tmp_path, url, schema)
    assert result.gate.status == "failed"
    assert "refused before GraphQL ran" in result.gate.message
    assert result.figures["graphql_server_errors"].value == 0


class _Target:
    def __init__(self, base_url: str) -> None:
        self.client = Client(base_url)


def test_the_graphql_probes_pass_where_each_attack_is_refused() -> None:
    refused = json.dumps({"errors": [{"message": "no", "extensions": {"code": "X"}}]})
    with serving(lambda _: (400, refused)) as url:
        probes = Probes()
        graphql_probes(_Target(url), probes)  # type: ignore[arg-type]
    assert [r.kind for r in probes.results] == [kind for kind, *_ in GRAPHQL_PROBES]
    assert probes.failed == []


def test_the_graphql_probes_fail_where_an_attack_is_answered() -> None:
    with serving(lambda _: (200, json.dumps({"data": {"__typename": "Query"}}))) as url:
        probes = Probes()
        graphql_probes(_Target(url), probes)  # type: ignore[arg-type]
    assert len(probes.failed) == len(GRAPHQL_PROBES)
    assert all(r.owasp for r in probes.results)
