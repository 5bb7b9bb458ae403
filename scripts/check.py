"""Run every check of the project: ruff, formatting, mypy, pytest with the coverage gate.

Usage: python scripts/check.py [extra pytest arguments]
"""

from __future__ import annotations

import subprocess
import sys

STEPS: list[list[str]] = [
    [sys.executable, "-m", "ruff", "check", "src", "tests", "scripts", "bench"],
    [sys.executable, "-m", "ruff", "format", "--check", "src", "tests", "scripts", "bench"],
    [sys.executable, "-m", "mypy"],
    [
        sys.executable,
        "-m",
        "pytest",
        "--cov=backend_agent",
        "--cov-report=term",
        *sys.argv[1:],
    ],
]


def main() -> int:
    for step in STEPS:
        print("$", " ".join(step[1:] if step[0] == sys.executable else step), flush=True)
        result = subprocess.run(step, check=False)
        if result.returncode != 0:
            print(f"check failed: {' '.join(step[2:4])} exited {result.returncode}", flush=True)
            return result.returncode
    print("all checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
