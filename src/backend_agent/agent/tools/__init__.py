"""The tools an agent can call: files, shell, and the product's own stages."""

from backend_agent.agent.tools import domain, files, shell
from backend_agent.agent.tools.base import (
    REGISTRY,
    Tool,
    ToolArgs,
    Toolbox,
    ToolResult,
    Workspace,
)
from backend_agent.agent.tools.domain import describe_delivery

__all__ = [
    "DOMAIN_TOOLS",
    "REGISTRY",
    "Tool",
    "ToolArgs",
    "ToolResult",
    "Toolbox",
    "Workspace",
    "describe_delivery",
    "domain_toolbox",
]

_REGISTERED = (files, shell, domain)  # imported for the tools they register

DOMAIN_TOOLS: tuple[str, ...] = tuple(
    tool.name for tool in REGISTRY if tool.function.__module__ == domain.__name__
)
"""The product's own stages as tools; what ``backend-agent mcp`` serves."""


def domain_toolbox() -> Toolbox:
    """The domain tools only."""
    return REGISTRY.select(DOMAIN_TOOLS)
