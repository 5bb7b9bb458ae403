"""Findings per 10,000 lines of ``backend-agent review`` on mature open-source backends.

    python bench/review/mature.py NAME==VERSION|FOLDER ... [--min-confidence low] [--list]

A ``NAME==VERSION`` is fetched from the package index with ``pip download``
(a wheel, which holds the source) into a temporary folder and unpacked; a
folder is reviewed as it is. Tests (``tests``/``test``/``testing`` folders,
``tests.py``, ``test_*.py``, ``*_tests.py``, ``conftest.py``) are left out, as are the
reviewer's default excludes. Lines are those of the ``.py`` files reviewed.
Prints the rate of findings at ``--min-confidence`` (default medium) and up,
by rule and confidence; ``--list`` prints each finding too, for triage.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from backend_agent.review import Level, review
from backend_agent.review._runner import discover

TEST_EXCLUDES = (
    "tests", "test", "testing", "tests.py", "test_*.py", "*_tests.py", "conftest.py",
)  # fmt: skip


def fetch(requirement: str, into: Path) -> Path:
    """Download ``requirement``'s wheel (no dependencies) and unpack it under ``into``."""
    downloads = into / "downloads"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
         requirement, "-d", str(downloads), "--quiet"],
        check=True,
    )  # fmt: skip
    (wheel,) = downloads.glob("*.whl")
    tree = into / wheel.stem
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tree)
    return tree


def count_lines(tree: Path) -> int:
    """Lines of the Python files the reviewer reads under ``tree``."""
    total = 0
    for path, _ in discover(tree, TEST_EXCLUDES):
        total += len(path.read_text(encoding="utf-8", errors="replace").splitlines())
    return total


def measure(label: str, tree: Path, sure: Level, *, listing: bool) -> None:
    """Review ``tree`` and print its rate of findings per 10,000 lines."""
    lines = count_lines(tree)
    findings = [f for f in review(tree, exclude=TEST_EXCLUDES, cache=None) if f.confidence >= sure]
    rate = 10_000 * len(findings) / max(lines, 1)
    print(f"{label}: {lines} lines, {len(findings)} findings, {rate:.1f} per 10k lines")
    by_rule = Counter((f.code, str(f.confidence)) for f in findings)
    for (code, confidence), count in sorted(by_rule.items()):
        print(f"  {code} {confidence:<6} {count:4d}  {10_000 * count / max(lines, 1):.2f}/10k")
    if listing:
        for f in findings:
            where = Path(f.file).resolve().relative_to(tree.resolve())
            print(f"    {where}:{f.line} {f.code} [{f.confidence}] {f.message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="+", help="NAME==VERSION or a folder")
    parser.add_argument("--min-confidence", type=Level, default=Level.MEDIUM)
    parser.add_argument("--list", action="store_true", help="print every finding")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="review-mature-") as scratch:
        for target in args.targets:
            folder = Path(target)
            if folder.is_dir():
                tree, label = folder, folder.name
            else:
                tree, label = fetch(target, Path(scratch) / str(len(target))), target
            measure(label, tree, args.min_confidence, listing=args.list)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
