"""Where a server spends its time under load: py-spy samples folded into shares.

``py-spy record --format raw`` writes one line per distinct stack (``f1;f2;...;fN
count``, outermost first). Shares are of the samples in which the process was busy
(py-spy leaves idle samples out): *self* counts the innermost frame only, *inclusive*
counts every function once per stack it appears in, *by package* groups the innermost
frame by the library its file belongs to.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from loadgen import Load, run

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def record(
    pid: int, url: str, endpoint: str, load: Load, out: Path, *, ids_file: Path, token: str
) -> dict[str, Any]:
    """Sample ``pid`` while wrk loads ``endpoint``; write the raw stacks and an SVG."""
    beside = Path(sys.executable).parent / "py-spy"
    spy = str(beside) if beside.exists() else shutil.which("py-spy")
    if spy is None:
        raise RuntimeError("py-spy is not installed (pip install py-spy)")
    seconds = max(1, int(load.duration))
    raw, svg = out.with_suffix(".txt"), out.with_suffix(".svg")
    results: list[dict[str, Any]] = []

    def load_it() -> None:
        results.append(run(url, endpoint, load, ids_file=ids_file, token=token))

    def command(duration: int, fmt: str, path: Path) -> list[str]:
        return [
            spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(duration),
            "--rate",
            "200",
            "--format",
            fmt,
            "-o",
            str(path),
        ]

    loader = threading.Thread(target=load_it)
    loader.start()
    subprocess.run(command(seconds, "raw", raw), capture_output=True, check=True, timeout=120)
    loader.join()
    # The flame graph is a second, shorter sample of the same load, for people to look at.
    loader = threading.Thread(target=load_it)
    loader.start()
    subprocess.run(
        command(max(1, seconds // 2), "flamegraph", svg),
        capture_output=True,
        check=False,
        timeout=120,
    )
    loader.join()
    return {"raw": str(raw), "svg": str(svg), "load": results[0], **shares(raw)}


def _package(path: str) -> str:
    # py-spy names files relative to their sys.path entry: "sqlalchemy/engine/base.py",
    # "asyncio/events.py", "threading.py", "app/core/middleware.py".
    parts = Path(path).parts
    if not parts:
        return "?"
    if parts[0] == "app" and len(parts) > 2:
        return f"app/{parts[1]}"
    if parts[0].startswith("<"):
        return "python (frozen)"
    return parts[0].removesuffix(".py") if len(parts) > 1 else f"{Path(path).stem} (stdlib)"


def _idle(label: str, file: str) -> bool:
    # Thread-pool workers parked on a lock count as busy to py-spy: they are not.
    return Path(file).name in ("threading.py", "queue.py") and label.split(" ")[0] in (
        "Condition.wait",
        "Event.wait",
        "Queue.get",
        "Thread._wait_for_tstate_lock",
    )


def _label(frame: str) -> tuple[str, str]:
    match = _FRAME.match(frame)
    if match is None:
        return frame, "?"
    file = match.group("file")
    short = "/".join(Path(file).parts[-2:])
    return f"{match.group('func')} ({short})", file


def shares(raw: Path, top: int = 25) -> dict[str, Any]:
    """Self, inclusive and per-package shares of the busy samples in ``raw``."""
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    package_inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if f]
        # py-spy puts the thread name first ("process 123:..." or "thread 0x..."): skip it.
        frames = [f for f in frames if _FRAME.match(f)]
        if not frames:
            continue
        labels = [_label(f) for f in frames]
        leaf, leaf_file = labels[-1]
        if _idle(leaf, leaf_file):
            continue
        total += count
        self_time[leaf] += count
        packages[_package(leaf_file)] += count
        for name in {label for label, _ in labels}:
            inclusive[name] += count
        for name in {_package(file) for _, file in labels}:
            package_inclusive[name] += count

    def table(counter: Counter[str]) -> list[list[Any]]:
        return [[name, round(100 * n / total, 1)] for name, n in counter.most_common(top)]

    if total == 0:
        return {"samples": 0}
    return {
        "samples": total,
        "self": table(self_time),
        "inclusive": table(inclusive),
        "by_package_self": table(packages),
        "by_package_inclusive": table(package_inclusive),
    }
