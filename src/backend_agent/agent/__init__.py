"""The agent layer: definitions, tools, the JSON protocol, the loop, providers and MCP.

An LLM is optional everywhere in backend-agent: it can turn plain words into
a spec (``spec_from_text``) or drive open-ended work (``run_agent``), but the
deterministic stages do the building and the measuring.
"""

from backend_agent.agent.config import (
    HOW_TO_CONFIGURE,
    ProviderConfig,
    create_model,
    load_config,
)
from backend_agent.agent.definition import (
    AgentDefinition,
    DefinitionCheck,
    builtin_definitions,
    check_definitions,
    definition_files,
    find_definition,
    load_definition,
    parse_definition,
)
from backend_agent.agent.errors import (
    AgentError,
    DefinitionError,
    ModelError,
    ProviderNotConfigured,
    ScriptExhausted,
    SpecFromTextError,
    ToolError,
)
from backend_agent.agent.loop import run_agent
from backend_agent.agent.model import Message, Model, Reply, ToolCall, ToolSpec, Usage
from backend_agent.agent.protocol import (
    ContextQuery,
    ContextRequest,
    ContextResponse,
    DeliveryMessage,
    ExitReason,
    Progress,
    ProjectContext,
    protocol_schemas,
)
from backend_agent.agent.scripted import ScriptedModel, SteppingClock
from backend_agent.agent.spec_writer import spec_from_text
from backend_agent.agent.steps import ActionStep, Budget, Observation, RunResult
from backend_agent.agent.tools import REGISTRY, Tool, Toolbox, ToolResult, Workspace

__all__ = [
    "HOW_TO_CONFIGURE",
    "REGISTRY",
    "ActionStep",
    "AgentDefinition",
    "AgentError",
    "Budget",
    "ContextQuery",
    "ContextRequest",
    "ContextResponse",
    "DefinitionCheck",
    "DefinitionError",
    "DeliveryMessage",
    "ExitReason",
    "Message",
    "Model",
    "ModelError",
    "Observation",
    "Progress",
    "ProjectContext",
    "ProviderConfig",
    "ProviderNotConfigured",
    "Reply",
    "RunResult",
    "ScriptExhausted",
    "ScriptedModel",
    "SpecFromTextError",
    "SteppingClock",
    "Tool",
    "ToolCall",
    "ToolError",
    "ToolResult",
    "ToolSpec",
    "Toolbox",
    "Usage",
    "Workspace",
    "builtin_definitions",
    "check_definitions",
    "create_model",
    "definition_files",
    "find_definition",
    "load_config",
    "load_definition",
    "parse_definition",
    "protocol_schemas",
    "run_agent",
    "spec_from_text",
]
