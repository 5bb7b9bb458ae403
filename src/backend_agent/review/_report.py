"""Findings as text for people, JSON for scripts and SARIF 2.1.0 for code scanning."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import quote

from backend_agent.review._model import Finding, Level
from backend_agent.review._registry import all_rules, doc_sections

__all__ = ["render_json", "render_sarif", "render_text"]

_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Level.HIGH: "error", Level.MEDIUM: "warning", Level.LOW: "note"}
_SECURITY_SEVERITY = {Level.HIGH: "8.0", Level.MEDIUM: "5.5", Level.LOW: "3.0"}
_INFO_URI = "https://github.com/backend-agent/backend-agent"


def _tool_version() -> str:
    try:
        return version("backend-agent")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


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


def render_sarif(findings: Sequence[Finding], *, root: Path) -> str:
    """A SARIF 2.1.0 log with one run; file URIs are relative to ``root``."""
    rules = all_rules()
    index = {rule.code: position for position, rule in enumerate(rules)}
    descriptors = []
    for rule in rules:
        info = rule.info
        sections = doc_sections(info.doc)
        descriptors.append(
            {
                "id": info.code,
                "name": info.name,
                "shortDescription": {"text": info.summary},
                "fullDescription": {"text": sections.get("What it finds", info.summary)},
                "help": {"text": info.doc, "markdown": _markdown(sections)},
                "defaultConfiguration": {"level": _SARIF_LEVEL[info.severity]},
                "properties": {
                    "tags": ["security", info.category],
                    "precision": str(info.confidence),
                    "problem.severity": _SARIF_LEVEL[info.severity],
                    "security-severity": _SECURITY_SEVERITY[info.severity],
                },
            }
        )
    results = [_result(f, index[f.code], root) for f in findings]
    log = {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "backend-agent",
                        "informationUri": _INFO_URI,
                        "version": _tool_version(),
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {
                    "%SRCROOT%": {"uri": root.resolve().as_uri().rstrip("/") + "/"}
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _result(finding: Finding, rule_index: int, root: Path) -> dict[str, object]:
    path = Path(finding.file)
    try:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        relative = path.as_posix()
    region: dict[str, int] = {"startLine": finding.line, "startColumn": finding.column}
    if finding.end_line:
        region["endLine"] = finding.end_line
        region["endColumn"] = max(finding.end_column, 1)
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVEL[finding.severity],
        "message": {"text": f"{finding.message}. Fix: {finding.fix}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(relative), "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
        "properties": {
            "category": finding.category,
            "confidence": str(finding.confidence),
        },
    }


def _markdown(sections: dict[str, str]) -> str:
    parts = []
    for title, body in sections.items():
        if title in ("Example", "Fix"):
            parts.append(f"**{title}**\n\n```python\n{body}\n```")
        else:
            parts.append(f"**{title}**\n\n{body}")
    return "\n\n".join(parts)
