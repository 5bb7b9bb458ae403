"""Rules a row obeys, compared before a write and named when the database refuses one.

Each rule compares two fields of one row (``ends_at > starts_at``). The service checks
the values a request writes when both are in it; the database's CHECK constraint of the
same rule refuses every other way to break it (a partial update, a direct SQL write).
Either way the client gets one 422 naming both fields. A null side passes, as in SQL.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Detail = dict[str, str]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_WORDS = {
    "<": "less than",
    "<=": "at most",
    ">": "greater than",
    ">=": "at least",
}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True, slots=True)
class RowRule:
    """``left op right`` between two fields of one row."""

    left: str
    op: str
    right: str

    def holds(self, values: Mapping[str, Any]) -> bool:
        """Whether ``values`` keep the rule; so do values that lack either side, or null."""
        left, right = values.get(self.left), values.get(self.right)
        return left is None or right is None or _COMPARE[self.op](left, right)

    def details(self) -> list[Detail]:
        """The two fields, each with what it must be beside the other."""
        return [
            {"field": self.left, "message": f"must be {_WORDS[self.op]} {self.right}"},
            {"field": self.right, "message": f"must be {_WORDS[_FLIPPED[self.op]]} {self.left}"},
        ]


def broken(rules: Iterable[RowRule], values: Mapping[str, Any]) -> list[Detail]:
    """The details of every rule ``values`` break; empty when they keep them all."""
    return [detail for rule in rules if not rule.holds(values) for detail in rule.details()]
