"""Which regression specs (``tests/spec/drawn/``) a run builds in full.

Each spec's defect class also has a fast generator test that runs every time
(tests/generate/test_found_classes.py and the generality tests); a full build (generate,
ruff, mypy, the project's own tests) costs half a minute or more, so a run builds
``BACKEND_AGENT_REGRESSION_BUILDS`` of them: a count (2 by default), a window that moves
on each day so that consecutive days build every spec in turn; ``all``; or names
separated by commas. The run's header names the chosen ones.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

__all__ = ["ALL_REGRESSIONS", "regressions_this_run", "window"]

ALL_REGRESSIONS = sorted((Path(__file__).parents[1] / "spec" / "drawn").glob("*.yaml"))
DEFAULT_BUILDS = "2"


def window(
    wanted: str, day: int, names: list[str], variable: str = "BACKEND_AGENT_REGRESSION_BUILDS"
) -> list[str]:
    """The ``names`` that ``wanted`` (the value of ``variable``) asks for on ``day``:
    ``all``, a count (a window moving on by its size each day), or names."""
    if wanted == "all":
        return names
    if not wanted.isdigit():
        asked = {name.strip() for name in wanted.split(",") if name.strip()}
        unknown = asked - set(names)
        if unknown:
            raise ValueError(f"{variable} names no such spec {sorted(unknown)}")
        return [name for name in names if name in asked]
    count = min(int(wanted), len(names))
    if count == 0:
        return []
    start = (day * count) % len(names)
    return [names[(start + i) % len(names)] for i in range(count)]


def regressions_this_run() -> list[Path]:
    """This run's regression specs, from the environment and today's date."""
    wanted = os.environ.get("BACKEND_AGENT_REGRESSION_BUILDS", DEFAULT_BUILDS)
    by_name = {path.stem: path for path in ALL_REGRESSIONS}
    day = datetime.date.today().toordinal()
    return [by_name[name] for name in window(wanted, day, list(by_name))]
