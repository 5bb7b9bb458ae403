"""Public surfaces are explicit: every package's __all__ resolves, without duplicates.

(ruff's RUF022 keeps each __all__ sorted.)"""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "backend_agent",
    "backend_agent.agent",
    "backend_agent.design",
    "backend_agent.errors",
    "backend_agent.figures",
    "backend_agent.generate",
    "backend_agent.pipeline",
    "backend_agent.review",
    "backend_agent.spec",
    "backend_agent.update",
    "backend_agent.verify",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_resolves_without_duplicates(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert len(exported) == len(set(exported))
    for symbol in exported:
        assert hasattr(module, symbol), symbol
