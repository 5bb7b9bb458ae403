"""SARIF 2.1.0 for code scanning: repository-root paths and fingerprints that survive edits.

GitHub code scanning resolves a result's relative URI from the repository root, so
when a subfolder is reviewed the paths must still start at the git top level.
Alerts are matched across uploads by ``partialFingerprints``; ours hash the rule,
the file, the finding's line text with whitespace collapsed and how many earlier
findings of the same rule had that same text, never the line number, so inserting
lines above a finding keeps its alert.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import quote

from backend_agent.review._model import Finding, Level
from backend_agent.review._registry import Rule, all_rules, doc_sections

__all__ = ["FINGERPRINT_KEY", "help_uri", "render_sarif", "repository_root"]

FINGERPRINT_KEY = "backendAgentFindingHash/v1"
_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Level.HIGH: "error", Level.MEDIUM: "warning", Level.LOW: "note"}
_SECURITY_SEVERITY = {Level.HIGH: "8.0", Level.MEDIUM: "5.5", Level.LOW: "3.0"}
_INFO_URI = "https://github.com/backend-agent/backend-agent"
_RULES_URI = f"{_INFO_URI}/blob/main/src/backend_agent/review/rules"


def _tool_version() -> str:
    try:
        return version("backend-agent")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def repository_root(path: Path) -> Path:
    """The git top level holding ``path`` (a folder with ``.git``), else ``path``'s folder."""
    start = path.resolve()
    if not start.is_dir():
        start = start.parent
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return start


def help_uri(rule: Rule) -> str:
    """Where the rule's documentation (its module's docstring) is read online."""
    module = type(rule).__module__.rsplit(".", 1)[-1]
    return f"{_RULES_URI}/{module}.py"


def render_sarif(findings: Sequence[Finding], *, root: Path) -> str:
    """A SARIF 2.1.0 log with one run for the review of ``root``.

    URIs are relative to the repository holding ``root`` (its git top level; ``root``
    itself outside git), which ``%SRCROOT%`` names.
    """
    base = repository_root(root)
    rules = all_rules()
    index = {rule.code: position for position, rule in enumerate(rules)}
    lines = _LineReader()
    seen: Counter[tuple[str, str, str]] = Counter()
    results = []
    for finding in findings:
        relative = _relative(finding.file, base)
        text = lines.normalized(finding.file, finding.line)
        key = (finding.code, relative, text)
        occurrence = seen[key]
        seen[key] += 1
        digest = hashlib.sha256(
            "\0".join([finding.code, relative, text, str(occurrence)]).encode("utf-8")
        ).hexdigest()
        results.append(_result(finding, index[finding.code], relative, digest))
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
                        "rules": [_descriptor(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": base.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


class _LineReader:
    """Source lines by file, read once, whitespace collapsed."""

    def __init__(self) -> None:
        self._files: dict[str, list[str]] = {}

    def normalized(self, file: str, line: int) -> str:
        if file not in self._files:
            try:
                text = Path(file).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            self._files[file] = text.splitlines()
        content = self._files[file]
        return " ".join(content[line - 1].split()) if 0 < line <= len(content) else ""


def _relative(file: str, base: Path) -> str:
    path = Path(file)
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _descriptor(rule: Rule) -> dict[str, object]:
    info = rule.info
    sections = doc_sections(info.doc)
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": sections.get("What it finds", info.summary)},
        "help": {"text": info.doc, "markdown": _markdown(sections)},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": _SARIF_LEVEL[info.severity]},
        "properties": {
            "tags": ["security", info.category],
            "precision": str(info.confidence),
            "problem.severity": _SARIF_LEVEL[info.severity],
            "security-severity": _SECURITY_SEVERITY[info.severity],
        },
    }


def _result(finding: Finding, rule_index: int, relative: str, digest: str) -> dict[str, object]:
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
        "partialFingerprints": {FINGERPRINT_KEY: digest},
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
