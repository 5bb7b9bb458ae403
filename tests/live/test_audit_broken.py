"""`audit` fails, with a clear message and exit 1, when the sample API is broken on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live.conftest import Sample
from tests.live.test_audit import run_audit


@pytest.mark.parametrize("sample", ["auth"], indirect=True)
def test_audit_fails_when_anyone_may_create(
    sample: Sample, plan_file: Path, tmp_path: Path
) -> None:
    code, delivery = run_audit(sample, plan_file, tmp_path)
    security = next(g for g in delivery["gates"] if g["name"] == "security")
    assert code == 1
    assert security["status"] == "failed"
    assert "no-token POST /notes: expected 401" in security["message"]


@pytest.mark.parametrize("sample", ["assign"], indirect=True)
def test_audit_fails_when_server_owned_fields_are_honoured(
    sample: Sample, plan_file: Path, tmp_path: Path
) -> None:
    code, delivery = run_audit(sample, plan_file, tmp_path)
    security = next(g for g in delivery["gates"] if g["name"] == "security")
    assert code == 1
    assert security["status"] == "failed"
    assert "mass-assignment POST /notes" in security["message"]
