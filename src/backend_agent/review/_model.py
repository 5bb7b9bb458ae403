"""The reviewer's data: levels, rule metadata and findings, all frozen."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Confidence", "Finding", "Level", "RuleInfo", "Severity"]


class Level(enum.StrEnum):
    """An ordered three-step scale shared by severity and confidence."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """0 for low, 1 for medium, 2 for high."""
        return _RANK[self]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank < other.rank


_RANK = {Level.LOW: 0, Level.MEDIUM: 1, Level.HIGH: 2}

Severity = Level
Confidence = Level


@dataclass(frozen=True)
class RuleInfo:
    """What a rule is: its stable code, name, category, levels and documentation."""

    code: str
    name: str
    category: str
    severity: Level
    confidence: Level
    summary: str
    doc: str
    fix: str

    def listing(self) -> dict[str, str]:
        """The rule as one row of ``rules --json`` (the MCP ``rules`` tool answers the same)."""
        return {
            "code": self.code,
            "name": self.name,
            "category": self.category,
            "severity": str(self.severity),
            "confidence": str(self.confidence),
            "summary": self.summary,
        }


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place; ``line`` and ``column`` are 1-based."""

    file: str
    line: int
    column: int
    code: str
    category: str
    severity: Level
    confidence: Level
    message: str
    fix: str
    end_line: int = 0
    end_column: int = 0

    def as_dict(self) -> dict[str, str | int]:
        """The JSON form of the finding."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "category": self.category,
            "severity": str(self.severity),
            "confidence": str(self.confidence),
            "message": self.message,
            "fix": self.fix,
        }
