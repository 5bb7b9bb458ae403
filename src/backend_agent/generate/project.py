"""``generate(blueprint)``: the rendered project, formatted, with its contract and docs."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from backend_agent.design.architecture import architecture_markdown
from backend_agent.design.blueprint import Blueprint
from backend_agent.design.graphql import graphql_sdl
from backend_agent.design.openapi import openapi_document
from backend_agent.generate.format import format_python
from backend_agent.generate.render import render

__all__ = ["generate"]

PYPROJECT = PurePosixPath("pyproject.toml")


def generate(blueprint: Blueprint) -> dict[PurePosixPath, str]:
    """Every file of the project, byte-identical for the same blueprint on any machine."""
    files = render(blueprint)
    document = openapi_document(blueprint)
    files[PurePosixPath("app/openapi.json")] = json.dumps(document, indent=2) + "\n"
    if blueprint.graphql:
        files[PurePosixPath("app/schema.graphql")] = graphql_sdl(blueprint, document)
    files[PurePosixPath("ARCHITECTURE.md")] = architecture_markdown(blueprint)
    formatted = format_python(files, config=files[PYPROJECT])
    return dict(sorted(formatted.items()))
