"""The suite passes from a clone alone: a test that reads beside the repository is caught."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, outside_repository


@pytest.mark.skipif(
    ROOT.parent == Path(tempfile.gettempdir()).resolve(),
    reason="a clone made straight in the temporary folder has test scratch space beside it",
)
def test_a_sibling_folder_of_the_repository_is_outside() -> None:
    assert outside_repository(ROOT.parent / "shared" / "seeds")
    assert outside_repository(str(ROOT / ".." / "shared"))
    assert outside_repository(bytes(ROOT.parent / "notes.txt"))


def test_the_repository_scratch_space_and_the_system_are_inside() -> None:
    assert not outside_repository(ROOT / "examples" / "blog.yaml")
    assert not outside_repository(Path(tempfile.gettempdir()) / "anything")
    assert not outside_repository("/usr/lib")
    assert not outside_repository(3)  # a file descriptor


def test_reading_a_repository_file_is_not_reported() -> None:
    assert (ROOT / "README.md").read_text(encoding="utf-8").startswith("# backend-agent")
