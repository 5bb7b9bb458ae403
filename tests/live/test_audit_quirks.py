"""`audit` on the habits of real frameworks: each was once misread by the audit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live.conftest import served
from tests.live.test_audit_notes import audit, gate


@pytest.fixture(scope="module")
def quirks(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], Path]:
    scratch = tmp_path_factory.mktemp("quirks")
    with served("quirks_api:app", {}, scratch / "server.log") as base:
        login = {"username": "alice", "password": "alice-pw"}
        token = httpx.post(f"{base}/auth/token/", data=login).json()["access_token"]
        code, delivery = audit(
            base, scratch, "--allow-writes", "--contract-examples=3",
            f"--token={token}",  # the document is read with the first credential
            "--oauth2-password=alice:alice-pw",  # through the relative tokenUrl
        )  # fmt: skip
    return code, delivery, scratch / "audit"


def test_a_relative_token_url_and_a_document_behind_login_are_followed(
    quirks: tuple[int, dict[str, Any], Path],
) -> None:
    _, delivery, report_dir = quirks
    assert delivery["status"] in ("passed", "failed")  # it ran: the login and document worked
    document = json.loads((report_dir / "openapi.json").read_text())
    assert "/users/{user_id}/" in document["paths"]


def test_rows_hidden_from_their_creator_are_not_a_seed_failure(
    quirks: tuple[int, dict[str, Any], Path],
) -> None:
    _, delivery, _ = quirks
    seed = gate(delivery, "seed")
    assert seed["status"] == "passed", seed["message"]
    assert "not readable by" in seed["message"]


def test_trailing_slash_items_are_found_and_loaded_with_ids_the_list_shows(
    quirks: tuple[int, dict[str, Any], Path],
) -> None:
    _, delivery, _ = quirks
    load = gate(delivery, "load")
    assert load["status"] == "passed", load["message"]
    assert "GET /users/{user_id}/" in load["message"]
    assert "no id to fill" not in load["message"]


def test_an_ignored_enum_value_is_not_an_injection(
    quirks: tuple[int, dict[str, Any], Path],
) -> None:
    _, _, report_dir = quirks
    probes = json.loads((report_dir / "probes.json").read_text())["probes"]
    lang = next(p for p in probes if p["target"] == "GET /schema/ ?lang=")
    assert lang["passed"], lang


def test_a_logout_path_ending_in_a_slash_is_fuzzed_last(
    quirks: tuple[int, dict[str, Any], Path],
) -> None:
    _, delivery, report_dir = quirks
    assert (report_dir / "contract.session-end.junit.xml").exists()
    assert gate(delivery, "contract")["status"] in ("passed", "failed")


def test_an_undecodable_token_refused_with_422_is_refused(
    quirks: tuple[int, dict[str, Any], Path],
) -> None:
    _, _, report_dir = quirks
    probes = json.loads((report_dir / "probes.json").read_text())["probes"]
    bad = [p for p in probes if p["kind"] == "bad-token"]
    assert bad
    assert all(p["passed"] and p["observed"] == "422" for p in bad), bad


def test_a_filter_refusing_the_harmless_value_is_bounded_by_the_whole_list(
    quirks: tuple[int, dict[str, Any], Path],
) -> None:
    _, _, report_dir = quirks
    probes = json.loads((report_dir / "probes.json").read_text())["probes"]
    q = next(p for p in probes if p["target"] == "GET /tags ?q=")
    assert q["passed"], q  # all rows, as without a filter, is no leak


def test_the_oauth2_token_url_is_flooded_as_the_login(
    quirks: tuple[int, dict[str, Any], Path],
) -> None:
    _, _, report_dir = quirks
    probes = json.loads((report_dir / "probes.json").read_text())["probes"]
    flood = next(p for p in probes if p["kind"] == "login-flood")
    assert (flood["target"], flood["observed"]) == ("POST /auth/token/", "no 429: 400x50")
