"""Prompts are markdown files in ``agent/prompts``; ``$name`` placeholders are filled in."""

from __future__ import annotations

from importlib import resources
from string import Template

__all__ = ["render_prompt"]


def render_prompt(name: str, **values: str) -> str:
    """The prompt file ``prompts/<name>.md`` with its placeholders replaced."""
    text = (resources.files("backend_agent.agent") / "prompts" / f"{name}.md").read_text("utf-8")
    return Template(text).substitute(values).strip() + "\n"
