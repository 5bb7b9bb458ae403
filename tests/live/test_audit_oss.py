"""`audit` on open-source services nobody here wrote, started from their PyPI packages.

Each service is wired the way its documentation says (tests/live/oss/), signs its
users in through its own API, and is audited with small budgets. The findings
asserted are the ones triaged as real in bench/audit/README.md; every false alarm
the first runs raised was fixed in the audit (tests/live/test_audit_quirks.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.live.oss.services import start
from tests.live.test_audit_notes import audit, gate

pytestmark = pytest.mark.slow

# service -> (gate -> status, failed probe kinds, what the contract gate must name)
EXPECTED: dict[str, tuple[dict[str, str], set[str], tuple[str, ...]]] = {
    "fastapi-users": (
        {"seed": "skipped", "load": "passed", "contract": "failed", "security": "failed"},
        {"header", "login-flood"},  # no security headers at all; no login limiter
        ("ST101 Server error: PATCH /users/me", "POST /auth/jwt/logout"),
    ),
    "djoser": (
        {"seed": "passed", "load": "passed", "contract": "failed", "security": "failed"},
        {"body-size", "login-flood"},  # 400, not 413, for 8 MiB; no login limiter
        ("ST103 Undocumented status code", "GET /auth/users/{id}/"),
    ),
    "flask-appbuilder": (
        {"seed": "passed", "load": "passed", "contract": "failed", "security": "failed"},
        # No security headers; no body limit; its login limiter is off by default.
        {"header", "body-size", "login-flood"},
        ("ST101 Server error", "ST108 Response violates schema"),
    ),
}


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def audited(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, int, dict[str, Any], Path]:
    name = request.param
    data = tmp_path_factory.mktemp(name)
    with start(name, data) as service:
        code, delivery = audit(
            service.base_url, data, f"--openapi={service.openapi}", "--allow-writes",
            "--contract-examples=3", *service.credentials,
        )  # fmt: skip
    return name, code, delivery, data / "audit"


def test_every_gate_ran_or_names_why_not(audited: tuple[str, int, dict[str, Any], Path]) -> None:
    name, code, delivery, _ = audited
    statuses = {g["name"]: g["status"] for g in delivery["gates"]}
    assert statuses == EXPECTED[name][0], [(g["name"], g["message"]) for g in delivery["gates"]]
    for g in delivery["gates"]:
        if g["status"] in ("skipped", "not_measured"):
            assert len(g["message"]) > 20, g
    assert code == 1  # findings, and nothing asked for went unmeasured


def test_the_failed_probes_are_the_triaged_ones(
    audited: tuple[str, int, dict[str, Any], Path],
) -> None:
    name, _, _, report_dir = audited
    probes = json.loads((report_dir / "probes.json").read_text())["probes"]
    failed = {p["kind"] for p in probes if not p["passed"]}
    assert failed == EXPECTED[name][1], [p for p in probes if not p["passed"]]
    assert sum(p["passed"] for p in probes) >= 10  # the rest of the probes ran and passed


def test_the_contract_findings_are_the_triaged_ones(
    audited: tuple[str, int, dict[str, Any], Path],
) -> None:
    name, _, delivery, report_dir = audited
    message = gate(delivery, "contract")["message"]
    for expected in EXPECTED[name][2]:
        assert expected in message
    table = json.loads((report_dir / "contract.json").read_text())["operations"]
    assert all(row["tested"] for row in table.values()), table  # every operation got cases
