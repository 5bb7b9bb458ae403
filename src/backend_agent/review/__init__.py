"""``backend-agent review``: a code reviewer for Python backends.

Usage::

    from backend_agent.review import review
    findings = review(Path("src"), select=["BA1"], ignore=["BA105"])

Rules live one per module in ``backend_agent.review.rules``; ``backend-agent rules``
lists them (``list_rules()`` from Python). The output formats are ``render_text``,
``render_json`` and ``render_sarif``.
"""

from __future__ import annotations

from backend_agent.review._cache import default_cache_dir
from backend_agent.review._config import ReviewConfig, load_config
from backend_agent.review._errors import ReviewError
from backend_agent.review._model import Confidence, Finding, Level, RuleInfo, Severity
from backend_agent.review._registry import all_rules as _all_rules
from backend_agent.review._registry import doc_sections
from backend_agent.review._report import render_json, render_sarif, render_text
from backend_agent.review._runner import review

__all__ = [
    "Confidence",
    "Finding",
    "Level",
    "ReviewConfig",
    "ReviewError",
    "RuleInfo",
    "Severity",
    "default_cache_dir",
    "doc_sections",
    "list_rules",
    "load_config",
    "render_json",
    "render_sarif",
    "render_text",
    "review",
]


def list_rules() -> list[RuleInfo]:
    """Every rule's metadata and documentation, by code."""
    return [rule.info for rule in _all_rules()]
