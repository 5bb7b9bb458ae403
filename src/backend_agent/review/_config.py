"""``[tool.backend-agent.review]`` in the nearest pyproject.toml above the reviewed path."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from backend_agent.review._errors import ReviewError
from backend_agent.review._model import Level

__all__ = ["ReviewConfig", "find_config", "load_config"]

_KEYS = {"select", "ignore", "exclude", "fail-on", "min-confidence", "per-file-ignores"}


@dataclass(frozen=True)
class ReviewConfig:
    """The review settings of a project; empty when no pyproject.toml sets any."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: Level = Level.LOW
    # Findings that rest on a heuristic alone are LOW; by default they are neither
    # printed as text nor counted by fail-on.
    min_confidence: Level = Level.MEDIUM
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    source: Path | None = None


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` with a review table."""
    here = start.resolve()
    for folder in [here, *here.parents] if here.is_dir() else list(here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "backend-agent" in candidate.read_text(encoding="utf-8"):
            return candidate
    return None


def load_config(start: Path) -> ReviewConfig:
    """Read the review table that applies to ``start``; a bad table is a ReviewError."""
    path = find_config(start)
    if path is None:
        return ReviewConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ReviewError(f"{path}: invalid TOML: {exc}") from exc
    table = data.get("tool", {}).get("backend-agent", {}).get("review")
    if table is None:
        return ReviewConfig(source=path)
    if not isinstance(table, dict):
        raise ReviewError(f"{path}: [tool.backend-agent.review] must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ReviewError(
            f"{path}: unknown key(s) {', '.join(unknown)} in [tool.backend-agent.review]; "
            f"known: {', '.join(sorted(_KEYS))}"
        )
    fail_on = table.get("fail-on", "low")
    if fail_on not in {level.value for level in Level}:
        raise ReviewError(f"{path}: fail-on must be low, medium or high, not {fail_on!r}")
    min_confidence = table.get("min-confidence", "medium")
    if min_confidence not in {level.value for level in Level}:
        raise ReviewError(
            f"{path}: min-confidence must be low, medium or high, not {min_confidence!r}"
        )
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ReviewError(f"{path}: per-file-ignores must be a table of glob = [codes]")
    return ReviewConfig(
        select=_strings(path, table, "select"),
        ignore=_strings(path, table, "ignore"),
        exclude=_strings(path, table, "exclude"),
        fail_on=Level(fail_on),
        min_confidence=Level(min_confidence),
        per_file_ignores=tuple(
            (str(glob), _strings(path, per_file, glob)) for glob in sorted(per_file)
        ),
        source=path,
    )


def _strings(path: Path, table: dict[str, object], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ReviewError(f"{path}: {key} must be a list of strings")
    return tuple(value)
