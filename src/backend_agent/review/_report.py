"""Findings as text for people, JSON for scripts and SARIF 2.1.0 for code scanning."""

from __future__ import annotations

import json
from collections.abc import Sequence

from backend_agent.review._model import Finding, Level
from backend_agent.review._sarif import render_sarif

__all__ = ["render_json", "render_sarif", "render_text"]


def render_text(findings: Sequence[Finding], *, hidden: int = 0) -> str:
    """One line per finding plus its fix, then a count by severity.

    ``hidden`` counts findings left out for their low confidence; the last line says
    how to see them.
    """
    lines = []
    for f in findings:
        sure = "" if f.confidence >= Level.MEDIUM else f", {f.confidence} confidence"
        lines.append(
            f"{f.file}:{f.line}:{f.column}: {f.code} [{f.severity}{sure}] {f.message} "
            f"({f.category})"
        )
        lines.append(f"    fix: {f.fix}")
    counts = {level: sum(1 for f in findings if f.severity == level) for level in Level}
    if findings:
        summary = ", ".join(f"{counts[level]} {level}" for level in reversed(Level))
        lines.append(
            f"Found {len(findings)} problem{'s' if len(findings) != 1 else ''} ({summary})."
        )
    else:
        lines.append("No problems found.")
    if hidden:
        lines.append(
            f"{hidden} low-confidence finding{'s' if hidden != 1 else ''} not shown "
            "(--min-confidence low shows them)."
        )
    return "\n".join(lines) + "\n"


def render_json(findings: Sequence[Finding]) -> str:
    """A JSON list of findings."""
    return json.dumps([f.as_dict() for f in findings], indent=2) + "\n"
