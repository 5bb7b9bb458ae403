"""Lines per second of ``backend-agent review`` on one core, side by side with Bandit.

    python bench/review/speed.py [PATH ...] [--repeat 3] [--jobs 1] [--max-incremental-seconds 1]

PATH defaults to the installed SQLAlchemy, Starlette and FastAPI packages (real
code, about 300,000 lines). Bandit runs on the same files when it is installed
(``pip install bandit``); it is single-process, so the fair comparison is with
``--jobs 1``. Times are CPU seconds (user + system) of the best of ``--repeat``
runs, so a busy machine does not skew the ratio; with ``--jobs`` above 1 the
wall-clock time is reported instead. The cold runs use no cache. Then every tree
is reviewed once more with a fresh result cache filled, and again: that last run
(wall-clock) is what re-reviewing an unchanged tree costs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from backend_agent.review import review

DEFAULT_PACKAGES = ("sqlalchemy", "starlette", "fastapi")


def default_paths() -> list[Path]:
    paths = []
    for name in DEFAULT_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin is not None:
            paths.append(Path(spec.origin).parent)
    return paths


def count_lines(root: Path) -> tuple[int, int]:
    files = [root] if root.is_file() else list(root.rglob("*.py"))
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    return len(files), lines


def time_review(root: Path, jobs: int, repeat: int) -> tuple[float, int]:
    best, found = float("inf"), 0
    clock = time.process_time if jobs == 1 else time.perf_counter
    for _ in range(repeat):
        start = clock()
        found = len(review(root, jobs=jobs))
        best = min(best, clock() - start)
    return best, found


def time_incremental(paths: list[Path], jobs: int) -> float:
    """Wall-clock seconds to review ``paths`` again with every file in the cache."""
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch)
        for root in paths:
            review(root, jobs=jobs, cache=cache)
        start = time.perf_counter()
        for root in paths:
            review(root, jobs=jobs, cache=cache)
        return time.perf_counter() - start


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_bandit(root: Path, repeat: int) -> tuple[float, int] | None:
    bandit = shutil.which("bandit") or str(Path(sys.executable).with_name("bandit"))
    if not Path(bandit).exists():
        return None
    best, found = float("inf"), 0
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "bandit.json"
        for _ in range(repeat):
            start = _children_cpu()
            subprocess.run(
                [bandit, "-r", str(root), "-q", "-f", "json", "-o", str(report)],
                check=False,
                capture_output=True,
            )
            best = min(best, _children_cpu() - start)
        found = len(json.loads(report.read_text(encoding="utf-8")).get("results", []))
    return best, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--min-lines-per-second", type=float, default=0.0)
    parser.add_argument("--max-incremental-seconds", type=float, default=0.0)
    args = parser.parse_args(argv)
    paths = args.paths or default_paths()
    print(
        f"{'tree':<16}{'files':>7}{'lines':>9}{'tool':>16}{'seconds':>9}{'lines/s':>10}{'found':>7}"
    )
    total_lines = 0
    total_ours = total_bandit = 0.0
    failed = False
    for root in paths:
        files, lines = count_lines(root)
        total_lines += lines
        ours, found = time_review(root, args.jobs, args.repeat)
        total_ours += ours
        rate = lines / ours
        failed |= rate < args.min_lines_per_second
        label = root.name[:15]
        tool = f"backend-agent/{args.jobs}"
        print(f"{label:<16}{files:>7}{lines:>9}{tool:>16}{ours:>9.2f}{rate:>10.0f}{found:>7}")
        bandit = time_bandit(root, args.repeat)
        if bandit is None:
            print(f"{'':<32}{'bandit':>16}  not installed (pip install bandit)")
            continue
        seconds, bandit_found = bandit
        total_bandit += seconds
        print(f"{'':<32}{'bandit':>16}{seconds:>9.2f}{lines / seconds:>10.0f}{bandit_found:>7}")
    print(
        f"total: {total_lines} lines; backend-agent {total_lines / total_ours:.0f} lines/s", end=""
    )
    if total_bandit:
        print(
            f", bandit {total_lines / total_bandit:.0f} lines/s; "
            f"backend-agent is {total_bandit / total_ours:.1f}x Bandit's speed"
        )
    else:
        print()
    incremental = time_incremental(paths, args.jobs)
    print(f"unchanged tree, results cached: {incremental:.2f} s wall-clock")
    failed |= bool(args.max_incremental_seconds) and incremental > args.max_incremental_seconds
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
