"""The tools an agent can call: files, shell, and the product's own stages."""

from backend_agent.agent.tools import catalog, domain, files, lifecycle, shell
from backend_agent.agent.tools.base import (
    READ_ONLY,
    REGISTRY,
    Effects,
    Tool,
    ToolArgs,
    Toolbox,
    ToolResult,
    Workspace,
)
from backend_agent.agent.tools.domain import describe_delivery

__all__ = [
    "DOMAIN_TOOLS",
    "READ_ONLY",
    "REGISTRY",
    "Effects",
    "Tool",
    "ToolArgs",
    "ToolResult",
    "Toolbox",
    "Workspace",
    "describe_delivery",
    "domain_toolbox",
]

_REGISTERED = (files, shell, domain, lifecycle, catalog)  # imported for the tools they register
_DOMAIN_MODULES = (domain.__name__, lifecycle.__name__, catalog.__name__)

DOMAIN_TOOLS: tuple[str, ...] = tuple(
    tool.name
    for module in _DOMAIN_MODULES
    for tool in REGISTRY
    if tool.function.__module__ == module
)
"""The product's own stages as tools; what ``backend-agent mcp`` serves."""


def domain_toolbox() -> Toolbox:
    """The domain tools only."""
    return REGISTRY.select(DOMAIN_TOOLS)
