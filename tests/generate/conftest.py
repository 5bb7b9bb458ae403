"""Options and fixtures of the generator tests.

``pytest tests/generate --update-golden`` rewrites ``tests/golden/`` from the current
generator; review the diff before committing it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path, PurePosixPath

import pytest

from backend_agent.design import Blueprint, design
from backend_agent.generate import generate
from backend_agent.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GOLDEN = ROOT / "tests" / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/<example>/ from the current generator",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden", default=False))


@cache
def example_blueprint(name: str) -> Blueprint:
    """The blueprint of ``examples/<name>.yaml``."""
    return design(load_spec(ROOT / "examples" / f"{name}.yaml"))


@cache
def generated(name: str) -> dict[PurePosixPath, str]:
    """``generate()`` of an example, computed once per test session."""
    return generate(example_blueprint(name))
