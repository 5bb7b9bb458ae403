"""Public surfaces are explicit: every package's __all__ is sorted and importable."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "backend_agent",
    "backend_agent.spec",
    "backend_agent.design",
    "backend_agent.verify",
    "backend_agent.figures",
    "backend_agent.errors",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    for symbol in exported:
        assert hasattr(module, symbol), symbol
