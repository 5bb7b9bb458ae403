"""The read cache in the spec: a TTL per entity, its shorthand, located mistakes."""

from __future__ import annotations

import pytest

from backend_agent.errors import SpecError
from backend_agent.spec import load_spec_text

SPEC = """\
name: shop
entities:
  Order:
    fields: {total: integer}
"""


def cache_of(line: str) -> int | None:
    spec = load_spec_text(SPEC + f"    {line}\n")
    cache = spec.entities["Order"].cache
    return None if cache is None else cache.ttl


def problems_of(line: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec_text(SPEC + f"    {line}\n", "spec.yaml")
    return [str(p) for p in caught.value.problems]


def test_entities_are_not_cached_unless_the_spec_asks() -> None:
    assert load_spec_text(SPEC).entities["Order"].cache is None


@pytest.mark.parametrize(
    ("line", "ttl"),
    [
        ("cache: {ttl: 90s}", 90),
        ("cache: {ttl: 5m}", 300),
        ("cache: {ttl: 120}", 120),
        ("cache: {}", 60),
        ("cache: 2h", 7200),
        ("cache: 30", 30),
    ],
)
def test_a_ttl_is_a_duration_with_a_shorthand(line: str, ttl: int) -> None:
    assert cache_of(line) == ttl


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "cache: {ttl: soon}",
            "spec.yaml:5:18: 'ttl': 'soon' is not a duration such as 30s, 15m, 24h or 7d",
        ),
        ("cache: {ttl: 0}", "spec.yaml:5:18: 'ttl': input should be greater than 0"),
        (
            "cache: {tll: 5s}",
            "spec.yaml:5:13: unknown key 'tll' (expected one of ttl); did you mean 'ttl'?",
        ),
        ("cache: true", "spec.yaml:5:12: 'cache': cache takes a TTL such as 60s, or {ttl: 60s}"),
    ],
)
def test_mistakes_are_located(line: str, expected: str) -> None:
    assert problems_of(line) == [expected]
