"""Precision and recall of ``backend-agent review`` per category on labelled code.

Labels are comments on the vulnerable line: ``# expect: BA101`` (a rule code) or
``# expect: sql_injection`` (a category); several may be separated by commas. A
finding counts as a true positive when its file, line and category match a label.
All rules run on the whole tree, so a rule firing on another rule's fixture is a
false positive here.

    python bench/review/accuracy.py [PATH ...] [--min-precision 0.9] [--min-recall 0.8]
        [--min-confidence low]

PATH defaults to tests/review/fixtures; several are added up. When a PATH holds
no Python file itself,
each folder in it is reviewed as a project of its own (project-wide facts such as
DRF default permissions do not leak between fixture folders). Exit status 1 when
a category misses the thresholds given.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from backend_agent.review import Level, list_rules, review

ROOT = Path(__file__).resolve().parents[2]
_LABEL = re.compile(r"#\s*expect:\s*(?P<labels>[\w ,]+)")


def labels(tree: Path) -> set[tuple[str, int, str]]:
    """(file, line, category) for every ``# expect:`` comment under ``tree``."""
    category_of = {info.code: info.category for info in list_rules()}
    found = set()
    for path in sorted(tree.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _LABEL.search(line)
            if not match:
                continue
            for label in re.split(r"[\s,]+", match.group("labels").strip()):
                if label:
                    found.add((str(path), number, category_of.get(label.upper(), label)))
    return found


def _short(file: Path, roots: list[Path]) -> str:
    for root in roots:
        if file.is_relative_to(root):
            return f"{root.name}/{file.relative_to(root)}"
    return str(file)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--min-precision", type=float, default=0.0)
    parser.add_argument("--min-recall", type=float, default=0.0)
    parser.add_argument(
        "--min-confidence",
        type=Level,
        default=Level.MEDIUM,
        help="count findings this sure or surer, as the text output and --fail-on do",
    )
    args = parser.parse_args(argv)
    paths = args.paths or [ROOT / "tests/review/fixtures"]
    expected = {label for path in paths for label in labels(path)}
    projects = []
    for path in paths:
        if any(path.glob("*.py")):
            projects.append(path)
        else:
            projects.extend(sorted(p for p in path.iterdir() if p.is_dir()))
    actual = {
        (f.file, f.line, f.category)
        for p in projects
        for f in review(p, jobs=1)
        if f.confidence >= args.min_confidence
    }
    categories = sorted({c for _, _, c in expected | actual})
    tp = Counter(c for _, _, c in actual & expected)
    fp = Counter(c for _, _, c in actual - expected)
    fn = Counter(c for _, _, c in expected - actual)
    failed = False
    print(f"{'category':<28}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}{'F1':>7}")
    for category in categories:
        precision = tp[category] / ((tp[category] + fp[category]) or 1)
        recall = tp[category] / ((tp[category] + fn[category]) or 1)
        f1 = 2 * precision * recall / ((precision + recall) or 1)
        flag = ""
        if precision < args.min_precision or recall < args.min_recall:
            failed, flag = True, "  <-- below threshold"
        print(
            f"{category:<28}{tp[category]:>5}{fp[category]:>5}{fn[category]:>5}"
            f"{precision:>11.2f}{recall:>8.2f}{f1:>7.2f}{flag}"
        )
    total_tp, total_fp, total_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    precision = total_tp / ((total_tp + total_fp) or 1)
    recall = total_tp / ((total_tp + total_fn) or 1)
    print(f"{'all':<28}{total_tp:>5}{total_fp:>5}{total_fn:>5}{precision:>11.2f}{recall:>8.2f}")
    for kind, items in (
        ("false positive", actual - expected),
        ("false negative", expected - actual),
    ):
        for file, line, category in sorted(items):
            print(f"  {kind}: {_short(Path(file), paths)}:{line} {category}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
