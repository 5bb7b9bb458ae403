"""Formatting rendered Python with the pinned ruff, so output bytes never vary."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path, PurePosixPath

__all__ = ["RUFF_VERSION", "format_python"]

# The formatter pinned in pyproject.toml: another version may format differently, and
# then the same spec would no longer give the same bytes.
RUFF_VERSION = "0.17.6"

# Sort imports and drop the ones a given module does not use (templates import a
# superset), then format.
_COMMANDS = (
    ("check", "--fix", "--select", "I,F401", "--exit-zero", "--quiet", "--no-cache", "."),
    ("format", "--quiet", "--no-cache", "."),
)


def format_python(files: Mapping[PurePosixPath, str], *, config: str) -> dict[PurePosixPath, str]:
    """``files`` with every ``.py`` file formatted by ruff under the project's ``config``.

    ``config`` is the generated ``pyproject.toml``, so the project is formatted exactly
    as its own ``ruff format`` would.
    """
    _check_ruff_version()
    python = {path: text for path, text in files.items() if path.suffix == ".py"}
    with tempfile.TemporaryDirectory(prefix="backend-agent-format-") as scratch:
        root = Path(scratch)
        (root / "pyproject.toml").write_text(config, encoding="utf-8")
        for path, text in python.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
        for command in _COMMANDS:
            result = subprocess.run(
                [sys.executable, "-m", "ruff", *command],
                cwd=root,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                output = result.stdout + result.stderr
                raise RuntimeError(f"ruff {command[0]} failed on the rendered project:\n{output}")
        formatted = {path: (root / path).read_text(encoding="utf-8") for path in python}
    return {path: formatted.get(path, text) for path, text in files.items()}


@cache
def _check_ruff_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "--version"], capture_output=True, text=True, check=False
    )
    found = result.stdout.strip().removeprefix("ruff ")
    if result.returncode != 0 or found != RUFF_VERSION:
        raise RuntimeError(
            f"backend-agent formats generated code with ruff {RUFF_VERSION}, found "
            f"{found or result.stderr.strip() or 'none'}: reinstall backend-agent"
        )
