"""Every rule on its fixtures: exact ``file:line:column`` findings, pinned in expected.txt.

Run ``pytest tests/review --update-snapshots`` to rewrite the snapshots; the diff
shows what changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_agent.review import Finding, list_rules, review

FIXTURES = Path(__file__).parent / "fixtures"

RULE_DIRS = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith("ba"))


def render(findings: list[Finding], root: Path) -> str:
    lines = [
        f"{Path(f.file).relative_to(root).as_posix()}:{f.line}:{f.column}: {f.code} {f.message}"
        for f in findings
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("folder", RULE_DIRS, ids=lambda p: p.name)
def test_rule_findings_match_snapshot(folder: Path, update_snapshots: bool) -> None:
    code = folder.name.split("_")[0].upper()
    actual = render(review(folder, select=[code], jobs=1), folder)
    expected_file = folder / "expected.txt"
    if update_snapshots or not expected_file.exists():
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", RULE_DIRS, ids=lambda p: p.name)
def test_rule_findings_are_exactly_the_labelled_lines(folder: Path) -> None:
    code = folder.name.split("_")[0].upper()
    labelled = set()
    for path in sorted(folder.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "# expect:" in line and code in line.split("# expect:", 1)[1]:
                labelled.add((path.relative_to(folder).as_posix(), number))
    found = {
        (Path(f.file).relative_to(folder).as_posix(), f.line)
        for f in review(folder, select=[code], jobs=1)
    }
    assert found == labelled


def test_every_rule_has_a_fixture_folder() -> None:
    folders = {p.name.split("_")[0].upper() for p in RULE_DIRS}
    assert folders == {info.code for info in list_rules()}


def test_all_rules_together_find_exactly_the_labelled_lines() -> None:
    """No rule fires on another rule's fixtures unless the line is labelled for it too."""
    category_of = {info.code: info.category for info in list_rules()}
    labelled = set()
    for path in sorted(FIXTURES.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "# expect:" in line:
                for code in line.split("# expect:", 1)[1].replace(",", " ").split():
                    labelled.add((str(path), number, category_of[code]))
    found = {(f.file, f.line, f.category) for folder in RULE_DIRS for f in review(folder, jobs=1)}
    assert found == labelled
