"""Which regression specs (``tests/spec/drawn/``) a run builds in full.

Each spec's defect class also has a fast generator test that runs every time
(tests/generate/test_found_classes.py and the generality tests); a full build (generate,
ruff, mypy, the project's own tests) costs half a minute or more, so a run builds
``BACKEND_AGENT_REGRESSION_BUILDS`` of them: a count (4 by default), a window that moves
on each day so that consecutive days build every spec in turn; ``all``; or names
separated by commas. The run's header names the chosen ones.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

__all__ = ["ALL_REGRESSIONS", "regressions_this_run", "window"]

ALL_REGRESSIONS = sorted((Path(__file__).parents[1] / "spec" / "drawn").glob("*.yaml"))
DEFAULT_BUILDS = "4"


def window(
    wanted: str, day: int, specs: list[Path], variable: str = "BACKEND_AGENT_REGRESSION_BUILDS"
) -> list[Path]:
    """The specs ``wanted`` (the value of ``variable``) asks for on ``day``: ``all``, a
    count (a window moving on by its size each day), or names."""
    if wanted == "all":
        return specs
    if not wanted.isdigit():
        names = {name.strip() for name in wanted.split(",") if name.strip()}
        unknown = names - {path.stem for path in specs}
        if unknown:
            raise ValueError(f"{variable} names no spec {sorted(unknown)}")
        return [path for path in specs if path.stem in names]
    count = min(int(wanted), len(specs))
    if count == 0:
        return []
    start = (day * count) % len(specs)
    return [specs[(start + i) % len(specs)] for i in range(count)]


def regressions_this_run() -> list[Path]:
    """This run's regression specs, from the environment and today's date."""
    wanted = os.environ.get("BACKEND_AGENT_REGRESSION_BUILDS", DEFAULT_BUILDS)
    return window(wanted, datetime.date.today().toordinal(), ALL_REGRESSIONS)
