"""The dependency direction between stages: cli -> agent -> update -> pipeline -> {verify,
review, generate} -> design -> spec. Shared modules (errors, figures, _version) are open to all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "backend_agent"
# The files every generated project shares: the project's code, not the package's
# (tests/generate/test_platform.py checks them).
PLATFORM = PACKAGE / "generate" / "platform"
SHARED = {"errors", "figures", "_version", "__init__", "__main__"}
ALLOWED: dict[str, set[str]] = {
    "spec": set(),
    "design": {"spec"},
    "generate": {"design", "spec"},
    "verify": set(),
    "review": set(),
    "pipeline": {"generate", "verify", "review", "design", "spec"},
    "update": {"pipeline", "generate", "verify", "review", "design", "spec"},
    "agent": {"update", "pipeline", "generate", "verify", "review", "design", "spec"},
    "cli": {"agent", "update", "pipeline", "generate", "verify", "review", "design", "spec"},
}


def stage_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported_stages(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "backend_agent" and len(parts) > 1:
                found.add((parts[1], node.lineno))
    return found


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if not p.is_relative_to(PLATFORM))
MODULES = [p for p in SOURCES if stage_of(p) not in SHARED]


def test_every_module_belongs_to_a_known_stage() -> None:
    assert {stage_of(p) for p in MODULES} <= set(ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_stage_direction(path: Path) -> None:
    stage = stage_of(path)
    wrong = [
        f"line {line}: {stage} imports {other}"
        for other, line in imported_stages(path)
        if other not in SHARED and other != stage and other not in ALLOWED[stage]
    ]
    assert not wrong


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_modules_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 800
