"""Findings as text for people, JSON for scripts and SARIF 2.1.0 for code scanning."""

from __future__ import annotations

import json
from collections.abc import Sequence

from backend_agent.review._model import Finding, Level
from backend_agent.review._sarif import render_sarif

__all__ = ["render_json", "render_sarif", "render_text"]


def render_text(findings: Sequence[Finding]) -> str:
    """One line per finding plus its fix, then a count by severity."""
    lines = []
    for f in findings:
        lines.append(
            f"{f.file}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message} ({f.category})"
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
    return "\n".join(lines) + "\n"


def render_json(findings: Sequence[Finding]) -> str:
    """A JSON list of findings."""
    return json.dumps([f.as_dict() for f in findings], indent=2) + "\n"
