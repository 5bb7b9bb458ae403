"""What the live gates send: values built from the schema and the design, never repeated
where a unique column would refuse them, and account passwords that follow the policy."""

from __future__ import annotations

import json
import string
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import jsonschema
import pytest

from backend_agent.design import design
from backend_agent.pipeline import probe_plan
from backend_agent.spec import load_spec
from backend_agent.verify.live import PasswordPolicy, ProbePlan
from backend_agent.verify.live.load import Endpoint, run_load, wrk_path
from backend_agent.verify.live.samples import sample_body

# Every kind a unique column can have, with bounds: each must vary from row to row.
TICKET = {
    "type": "object",
    "required": ["uuid", "code", "seats", "day", "at", "email", "sku", "status"],
    "properties": {
        "uuid": {"type": "string", "format": "uuid"},
        "code": {"type": "string", "minLength": 3, "maxLength": 8},
        "seats": {"type": "integer", "minimum": 1, "maximum": 7400},
        "day": {"type": "string", "format": "date"},
        "at": {"type": "string", "format": "date-time"},
        "email": {"type": "string", "format": "email", "maxLength": 320},
        "sku": {"type": "string", "pattern": "^[A-Z]{3}[0-9]{6}$"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "note": {"type": ["string", "null"], "maxLength": 40},
    },
    "examples": [{"uuid": "00000000-0000-4000-8000-000000000000", "code": "SAME"}],
}
VARYING = ("uuid", "code", "seats", "day", "at", "email", "sku")
FIRST = 500_000_000  # where the load numbers its rows


def test_every_unique_kind_varies_per_row_within_its_bounds() -> None:
    bodies = [sample_body(TICKET, FIRST + i) for i in range(4000)]
    validator = jsonschema.Draft202012Validator(
        TICKET, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for body in bodies:
        validator.validate(body)
    for name in VARYING:
        assert len({body[name] for body in bodies}) == len(bodies), name
    assert {body["status"] for body in bodies} == {"open", "closed"}
    assert not any(body["uuid"] == TICKET["examples"][0]["uuid"] for body in bodies)


def test_password_fields_carry_every_character_class() -> None:
    schema = {"type": "object", "required": ["password"],
              "properties": {"password": {"type": "string", "minLength": 12}}}  # fmt: skip
    password = sample_body(schema, 7)["password"]
    assert len(password) >= 12
    for chars in (string.ascii_lowercase, string.ascii_uppercase, string.digits):
        assert set(password) & set(chars)
    assert any(not c.isalnum() and not c.isspace() for c in password)


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bodies: ClassVar[list[bytes]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.lock:
            self.bodies.append(body)
        self.send_response(201)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args: object) -> None:
        """Quiet."""


@pytest.fixture
def recorder() -> Iterator[str]:
    _Recorder.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(wrk_path() is None, reason="wrk is not installed")
def test_wrk_sends_every_body_at_most_once(recorder: str, tmp_path: Path) -> None:
    pool = tuple(json.dumps(sample_body(TICKET, FIRST + i)) for i in range(800))
    endpoint = Endpoint("create_ticket", "POST /tickets", "POST", ("/tickets",), pool)
    run = run_load(
        endpoint, base_url=recorder, token=None, seconds=1, connections=4, threads=2,
        max_requests=400, reports=tmp_path,
    )  # fmt: skip
    assert run.error is None, run.finished.output
    sent = [json.loads(body) for body in _Recorder.bodies]
    assert 10 <= len(sent) <= 400 + 4
    assert len({body["uuid"] for body in sent}) == len(sent)
    assert all(json.dumps(body) in pool for body in sent)
    assert (tmp_path / "load.create_ticket.bodies.jsonl").read_text().count("\n") == 20


@pytest.mark.parametrize(
    "policy",
    [
        PasswordPolicy(min_length=8, max_length=64, requires=("uppercase", "symbol")),
        PasswordPolicy(min_length=100, max_length=128, requires=("digit",)),
        PasswordPolicy(),
    ],
)
def test_account_passwords_follow_the_policy(policy: PasswordPolicy) -> None:
    checks = {
        "lowercase": str.islower,
        "uppercase": str.isupper,
        "digit": str.isdigit,
        "symbol": lambda c: not c.isalnum() and not c.isspace(),
    }
    for _ in range(50):
        password = policy.new_password()
        assert policy.min_length <= len(password) <= policy.max_length
        for name in policy.requires:
            assert any(checks[name](c) for c in password), (name, password)


def test_the_probe_plan_carries_the_spec_password_policy(tmp_path: Path) -> None:
    spec = tmp_path / "vault.yaml"
    spec.write_text(
        "name: vault\nauth:\n  roles: [admin, user]\n  password_min_length: 14\n"
        "  password_requires: [uppercase, symbol]\n"
        "entities:\n  Note:\n    fields: {title: {type: string, required: true}}\n"
    )
    plan = probe_plan(design(load_spec(spec)))
    assert plan.password == PasswordPolicy(
        min_length=14, max_length=128, requires=("uppercase", "symbol")
    )
    assert ProbePlan.from_json(plan.to_json()) == plan


RULED = """\
name: venue
entities:
  Booking:
    fields:
      starts_at: {type: datetime, required: true}
      ends_at: {type: datetime, required: true}
      opens_on: {type: date, required: true}
      closes_on: {type: date, required: true}
      price: {type: decimal, required: true, min: 0, max: 50}
      discount: {type: decimal, required: true, min: 0, max: 80}
      seats: {type: integer, required: true, min: 1, max: 9}
      sold: {type: integer, required: true}
    rules: [ends_at > starts_at, opens_on <= closes_on, discount <= price, sold <= seats]
"""


def test_bodies_keep_the_rules_between_their_fields(tmp_path: Path) -> None:
    from datetime import date, datetime
    from decimal import Decimal

    from backend_agent.design.openapi import openapi_document
    from backend_agent.spec import load_spec_text

    document = openapi_document(design(load_spec_text(RULED, "venue.yaml")))
    schema = document["components"]["schemas"]["BookingCreate"]
    assert schema["x-rules"][0] == "ends_at > starts_at"
    for n in range(300):
        body = sample_body(schema, n)
        jsonschema.validate(body, schema)
        assert datetime.fromisoformat(body["ends_at"]) > datetime.fromisoformat(body["starts_at"])
        assert date.fromisoformat(body["opens_on"]) <= date.fromisoformat(body["closes_on"])
        assert Decimal(str(body["discount"])) <= Decimal(str(body["price"]))
        assert body["sold"] <= body["seats"]
