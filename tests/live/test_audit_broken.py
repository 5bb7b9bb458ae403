"""`audit` fails, with a clear message and exit 1, when the sample API is broken on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live.conftest import Sample
from tests.live.test_audit import run_audit


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        ("auth", "no-token POST /notes: expected 401"),  # anyone may create
        ("assign", "mass-assignment POST /notes"),  # server-owned fields are honoured
        ("bola", "non-owner DELETE /notes/{note_id}"),  # another user's row is deleted
    ],
    indirect=["sample"],
)
def test_audit_fails_on_a_broken_sample(
    sample: Sample, message: str, plan_file: Path, tmp_path: Path
) -> None:
    code, delivery = run_audit(sample, plan_file, tmp_path)
    security = next(g for g in delivery["gates"] if g["name"] == "security")
    assert code == 1
    assert security["status"] == "failed"
    assert message in security["message"]
