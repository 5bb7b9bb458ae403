"""`audit` on a newcomer's three-operation API: no auth, no envelope, nothing of ours."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tests.live.conftest import served
from tests.live.test_audit import cli

SMALL = [
    "--seed-rows=30", "--load-seconds=1", "--connections=4", "--max-requests=1500",
    "--contract-examples=5", "--max-p95-ms=5000", "--json",
]  # fmt: skip


@pytest.fixture(scope="module")
def notes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The notes API; parametrize indirectly with NOTES_DEFECTS ('' = as written)."""
    defects = getattr(request, "param", "")
    log = tmp_path_factory.mktemp("notes") / "server.log"
    with served("notes_api:app", {"NOTES_DEFECTS": defects}, log) as base:
        yield base


def audit(base: str, scratch: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    """Audit ``base`` with its reports in ``scratch/audit``."""
    args = ["audit", base, f"--report-dir={scratch / 'audit'}", *SMALL, *extra]
    result = CliRunner().invoke(cli(), args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def gate(delivery: dict[str, Any], name: str) -> dict[str, Any]:
    return next(g for g in delivery["gates"] if g["name"] == name)


@pytest.fixture(scope="module")
def written(
    notes: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[int, dict[str, Any], Path]:
    scratch = tmp_path_factory.mktemp("written")
    code, delivery = audit(notes, scratch, "--allow-writes")
    return code, delivery, scratch / "audit"


def test_findings_exit_1_not_3(written: tuple[int, dict[str, Any], Path]) -> None:
    code, delivery, _ = written
    assert (code, delivery["status"]) == (1, "failed")


def test_load_is_measured_on_the_list_and_the_item(
    written: tuple[int, dict[str, Any], Path],
) -> None:
    _, delivery, _ = written
    figures = delivery["figures"]
    for key in ("list_notes_notes_get", "get_note_notes__i__get", "create_note_notes_post"):
        assert figures[f"load_rps.{key}"]["value"] > 0, key
        assert figures[f"load_error_rate.{key}"]["value"] == 0, key
    assert gate(delivery, "seed")["status"] == "passed"
    assert figures["seed_rows"]["value"] == 30


def test_every_operation_gets_contract_cases_without_an_absolute_minimum(
    written: tuple[int, dict[str, Any], Path],
) -> None:
    _, delivery, report_dir = written
    table = json.loads((report_dir / "contract.json").read_text())
    assert {op: row["tested"] for op, row in table["operations"].items()} == {
        "GET /notes": True,
        "GET /notes/{i}": True,
        "POST /notes": True,
    }
    message = gate(delivery, "contract")["message"]
    assert "at least" not in message  # no minimum a three-operation API cannot reach
    assert "ST103 Undocumented status code" in message  # 404 and 400 are not in the document


def test_missing_security_headers_are_reported_with_their_owasp_item(
    written: tuple[int, dict[str, Any], Path],
) -> None:
    _, delivery, report_dir = written
    assert "header x-content-type-options" in gate(delivery, "security")["message"]
    probes = json.loads((report_dir / "probes.json").read_text())["probes"]
    header = next(p for p in probes if p["kind"] == "header")
    assert header["owasp"] == "API8:2023 Security Misconfiguration"
    kinds = {p["kind"] for p in probes if p["passed"]}
    assert {"verbose-error", "page-bounds", "methods"} <= kinds  # the healthy parts pass


def test_without_allow_writes_nothing_is_created_and_the_skips_say_why(
    notes: str, tmp_path: Path
) -> None:
    def newest() -> int:
        return max((n["id"] for n in httpx.get(f"{notes}/notes").json()), default=0)

    before = newest()
    code, delivery = audit(notes, tmp_path, "--gate=seed", "--gate=load")
    after = newest()
    seed = gate(delivery, "seed")
    assert seed["status"] == "skipped"
    assert "--allow-writes" in seed["message"]
    assert after == before  # the audit wrote nothing
    assert gate(delivery, "load")["status"] == "passed"
    assert "create_note_notes_post" not in "".join(delivery["figures"])
    assert code == 0


@pytest.mark.parametrize("notes", ["leak,unbounded"], indirect=True)
def test_planted_leak_and_unbounded_list_are_found(notes: str, tmp_path: Path) -> None:
    code, delivery = audit(notes, tmp_path, "--allow-writes", "--gate=seed", "--gate=security")
    message = gate(delivery, "security")["message"]
    assert code == 1
    assert "verbose-error GET /notes/{i}" in message
    assert "Traceback" in message
    assert "page-bounds GET /notes ?limit=1: expected at most 1 row" in message


@pytest.fixture
def guarded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The notes API with POST /notes behind NOTES_AUTH (parametrized indirectly)."""
    with served("notes_api:app", {"NOTES_AUTH": request.param}, tmp_path / "server.log") as base:
        yield base


@pytest.mark.parametrize(
    ("guarded", "credentials"),
    [
        ("apikey", ["--header=X-API-Key: key-alice", "--header=X-API-Key: key-bob"]),
        ("oauth2", ["--oauth2-password=alice:alice-pw", "--oauth2-password=bob:bob-pw"]),
    ],
    indirect=["guarded"],
)
def test_credentials_in_the_scheme_the_api_declares(
    guarded: str, credentials: list[str], tmp_path: Path
) -> None:
    code, delivery = audit(
        guarded, tmp_path, "--allow-writes", "--gate=seed", "--gate=security", *credentials
    )
    assert gate(delivery, "seed")["status"] == "passed"  # rows created with the credential
    probes = json.loads((tmp_path / "audit" / "probes.json").read_text())["probes"]
    no_token = next(p for p in probes if p["kind"] == "no-token" and p["target"] == "POST /notes")
    assert (no_token["observed"], no_token["passed"]) == ("401", True)
    assert code == 1  # the missing security headers are still findings


@pytest.mark.parametrize("guarded", ["apikey"], indirect=True)
def test_without_a_credential_the_guarded_collection_is_not_seeded(
    guarded: str, tmp_path: Path
) -> None:
    code, delivery = audit(guarded, tmp_path, "--allow-writes", "--gate=seed")
    assert "no collection the accounts may create rows in" in gate(delivery, "seed")["message"]
    assert code == 3


def test_a_malformed_header_credential_is_a_user_error(notes: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli(), ["audit", notes, "--header=no-colon-here", *SMALL])
    assert result.exit_code == 2
    assert "is not 'Name: value'" in result.output
