"""The generate stage: a blueprint -> the files of a complete service project.

- ``render(blueprint)``: every file, straight from the templates (pure);
- ``generate(blueprint)``: the same, formatted with the pinned ruff, plus the
  OpenAPI document and ARCHITECTURE.md: byte-identical for the same spec anywhere;
- ``write_project(files, out_dir)``: the tree on disk, all at once or not at all.
"""

from backend_agent.generate.project import generate
from backend_agent.generate.render import render
from backend_agent.generate.writer import write_project

__all__ = ["generate", "render", "write_project"]
