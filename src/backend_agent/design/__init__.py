"""The design stage: a validated spec -> a ``Blueprint``, and documents rendered from it."""

from backend_agent.design.architecture import architecture_markdown, er_diagram
from backend_agent.design.blueprint import Blueprint, Entity, Route, Rule, Table
from backend_agent.design.build import design
from backend_agent.design.ddl import ddl
from backend_agent.design.openapi import openapi_document

__all__ = [
    "Blueprint",
    "Entity",
    "Route",
    "Rule",
    "Table",
    "architecture_markdown",
    "ddl",
    "design",
    "er_diagram",
    "openapi_document",
]
