"""The commented starter spec written by ``backend-agent init``."""

from __future__ import annotations

import re
from importlib.resources import files

__all__ = ["starter_spec"]


def starter_spec(name: str) -> str:
    """The starter spec text for a service called ``name`` (made a valid slug)."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_") or "service"
    if not slug[0].isalpha():
        slug = f"svc-{slug}"
    template = files("backend_agent.spec").joinpath("starter.yaml").read_text(encoding="utf-8")
    title = slug.replace("-", " ").replace("_", " ").title()
    return template.replace("__NAME__", slug).replace("__TITLE__", title)
