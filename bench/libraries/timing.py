"""What every comparison in bench/libraries shares: CPU per operation, repeated, and
the generated project on the import path.

Each variant runs ``iterations`` operations ``repeats`` times; a repeat's CPU
(``time.process_time``, this process only: a Redis or PostgreSQL server's own CPU is
not in it) and wall time are divided by ``iterations``. The median and the min and
max of the repeats are printed in microseconds per operation. Nothing is measured
while /tmp/quiet.lock exists: a repeat waits for the lock to go.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

QUIET_LOCK = Path("/tmp/quiet.lock")
# --check: run each variant a few times, measure nothing, write nothing (a smoke test).
CHECK = {"only": False}
RESULTS = Path(__file__).parent / "results"


@dataclass
class Result:
    """One variant's CPU and wall time per operation, in microseconds, per repeat."""

    name: str
    cpu_us: list[float] = field(default_factory=list)
    wall_us: list[float] = field(default_factory=list)

    def line(self) -> str:
        cpu, wall = self.cpu_us, self.wall_us
        return (
            f"{self.name:<52} cpu {statistics.median(cpu):8.2f} us "
            f"(min {min(cpu):.2f}, max {max(cpu):.2f})   "
            f"wall {statistics.median(wall):8.2f} us (min {min(wall):.2f})"
        )


def arguments(description: str, *, iterations: int, repeats: int) -> argparse.Namespace:
    """The options every script takes: the project, iterations and repeats."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--project",
        type=Path,
        default=Path("/tmp/libraries-blog"),
        help="a generated project (examples/blog.yaml built with --no-verify)",
    )
    parser.add_argument("--iterations", type=int, default=iterations)
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/{db}", help="{db} is 12 to 15 per script"
    )
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--check", action="store_true", help="a smoke run: nothing measured")
    args = parser.parse_args()
    if args.check:
        CHECK["only"] = True
        args.iterations, args.repeats = 20, 1
    sys.path.insert(0, str(args.project.resolve()))
    return args


def wait_for_quiet() -> None:
    """Sleep while another measurement holds the machine."""
    announced = False
    while QUIET_LOCK.exists() and not CHECK["only"]:
        if not announced:
            print(f"{QUIET_LOCK} exists: waiting", flush=True)
            announced = True
        time.sleep(30)


def measure_async(
    name: str,
    run: Callable[[int], Awaitable[None]],
    *,
    iterations: int,
    repeats: int,
    loop: asyncio.AbstractEventLoop,
    setup: Callable[[], Awaitable[None]] | None = None,
) -> Result:
    """``run(iterations)`` ``repeats`` times on ``loop``; ``setup`` runs before each repeat."""
    result = Result(name)
    loop.run_until_complete(run(max(1, iterations // 10)))  # warm-up
    for _ in range(repeats):
        wait_for_quiet()
        if setup is not None:
            loop.run_until_complete(setup())
        cpu, wall = time.process_time(), time.perf_counter()
        loop.run_until_complete(run(iterations))
        result.cpu_us.append((time.process_time() - cpu) / iterations * 1e6)
        result.wall_us.append((time.perf_counter() - wall) / iterations * 1e6)
    print(result.line(), flush=True)
    return result


def measure(name: str, run: Callable[[int], None], *, iterations: int, repeats: int) -> Result:
    """``run(iterations)`` ``repeats`` times, synchronously."""
    result = Result(name)
    run(max(1, iterations // 10))  # warm-up
    for _ in range(repeats):
        wait_for_quiet()
        cpu, wall = time.process_time(), time.perf_counter()
        run(iterations)
        result.cpu_us.append((time.process_time() - cpu) / iterations * 1e6)
        result.wall_us.append((time.perf_counter() - wall) / iterations * 1e6)
    print(result.line(), flush=True)
    return result


def save(script: str, results: list[Result], behaviour: dict[str, object]) -> Path:
    """Write the results and the behaviour checks to results/<script>.json."""
    if CHECK["only"]:
        print("--check: nothing written")
        return RESULTS / f"{script}.json"
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{script}.json"
    document = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg_at_end": os.getloadavg(),
        "results": [
            {
                **asdict(r),
                "cpu_median_us": statistics.median(r.cpu_us),
                "cpu_min_us": min(r.cpu_us),
                "cpu_max_us": max(r.cpu_us),
                "wall_median_us": statistics.median(r.wall_us),
            }
            for r in results
        ],
        "behaviour": behaviour,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {path}")
    return path
