"""Strict precision and recall of Bandit and ruff's S rules on the same labelled code.

    python bench/review/compare.py [PATH ...]

Each tool's rule codes are mapped to our categories (only those they cover; the
rest they cannot find, so their recall counts them as misses) and a finding
counts when its file, line and category match a ``# expect:`` label, as in
``accuracy.py``. PATH defaults to the held-out trees holdout6 and holdout7.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from accuracy import labels

HERE = Path(__file__).resolve().parent
_CATEGORIES = {
    "608": "sql_injection", "602": "command_injection", "604": "command_injection",
    "605": "command_injection", "609": "command_injection", "310": "ssrf",
    "301": "insecure_deserialization", "506": "insecure_deserialization",
    "105": "hardcoded_secret", "106": "hardcoded_secret", "107": "hardcoded_secret",
    "201": "debug_mode", "303": "weak_password_hashing", "324": "weak_password_hashing",
    "501": "tls_verify_disabled", "307": "code_injection", "701": "ssti",
    "113": "unhandled_external_call",
}  # fmt: skip

Found = set[tuple[str, int, str]]


def _tool(name: str) -> str | None:
    local = Path(sys.executable).with_name(name)
    return str(local) if local.exists() else shutil.which(name)


def bandit(root: Path) -> Found | None:
    """Bandit's findings under ``root`` as (file, line, category)."""
    command = _tool("bandit")
    if command is None:
        return None
    run = subprocess.run([command, "-r", str(root), "-q", "-f", "json"], capture_output=True)
    results = json.loads(run.stdout or b"{}").get("results", [])
    return {
        (str(Path(r["filename"]).resolve()), r["line_number"], _CATEGORIES[r["test_id"][1:]])
        for r in results
        if r["test_id"][1:] in _CATEGORIES
    }


def ruff(root: Path) -> Found | None:
    """ruff's S-rule findings under ``root`` as (file, line, category)."""
    command = _tool("ruff")
    if command is None:
        return None
    args = [command, "check", "--isolated", "--select", "S", "--output-format", "json"]
    run = subprocess.run([*args, str(root)], capture_output=True)
    return {
        (str(Path(r["filename"]).resolve()), r["location"]["row"], _CATEGORIES[r["code"][1:]])
        for r in json.loads(run.stdout or b"[]")
        if r["code"][1:] in _CATEGORIES
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or [HERE / "holdout6", HERE / "holdout7"]
    expected = {(str(Path(f).resolve()), n, c) for p in paths for f, n, c in labels(p)}
    print(f"{'tool':<10}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}{'F1':>7}")
    for name, tool in (("bandit", bandit), ("ruff S", ruff)):
        found: Found = set()
        for path in paths:
            part = tool(path)
            if part is None:
                print(f"{name:<10}not installed")
                break
            found |= part
        else:
            tp, fp, fn = len(found & expected), len(found - expected), len(expected - found)
            precision, recall = tp / ((tp + fp) or 1), tp / ((tp + fn) or 1)
            f1 = 2 * precision * recall / ((precision + recall) or 1)
            print(f"{name:<10}{tp:>5}{fp:>5}{fn:>5}{precision:>11.2f}{recall:>8.2f}{f1:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
