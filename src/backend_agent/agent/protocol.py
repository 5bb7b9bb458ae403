"""The JSON protocol an agent speaks: context request and response, progress, delivery.

The shapes follow the public backend-developer agent prompts (a context query,
progress tracking, a delivery notification), with one difference: every
number is a ``backend_agent.figures.Figure`` that names the command, exit code
and artifact that produced it. ``protocol_schemas()`` publishes the JSON
Schemas (``backend-agent agents schema`` writes them out).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from backend_agent.figures import Delivery, Figure

__all__ = [
    "AgentStatus",
    "ContextQuery",
    "ContextRequest",
    "ContextResponse",
    "DeliveryMessage",
    "ExitReason",
    "Progress",
    "ProjectContext",
    "gather_context",
    "protocol_schemas",
]

AgentStatus = Literal["analyzing", "implementing", "verifying", "completed", "failed"]
ExitReason = Literal["completed", "budget_exceeded", "loop_detected", "gate_failed", "error"]

_SCAN_DEPTH = 3
_SKIPPED = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".backend-agent"})


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ContextQuery(_Message):
    """What the agent wants to know before it starts."""

    query: str


class ContextRequest(_Message):
    """An agent asks for the context of the project it is about to work in."""

    type: Literal["context_request"] = "context_request"
    requesting_agent: str
    request_type: str = "get_backend_context"
    payload: ContextQuery


class ProjectContext(_Message):
    """What is known about the working folder without asking a model."""

    root: str
    git: bool
    specs: list[str] = Field(description="Spec files found (YAML with 'name' and 'entities').")
    entries: list[str] = Field(description="Top-level files and folders.")
    tools: list[str] = Field(description="Tools the agent may call.")


class ContextResponse(_Message):
    """The answer to a ``ContextRequest``."""

    type: Literal["context_response"] = "context_response"
    responding_agent: str = "context-manager"
    request_type: str = "get_backend_context"
    payload: ProjectContext


class Progress(_Message):
    """Where a run stands after a step; every figure carries its provenance."""

    type: Literal["progress"] = "progress"
    agent: str
    status: AgentStatus
    step: int
    progress: dict[str, Figure] = Field(default_factory=dict)


class DeliveryMessage(Delivery):
    """The end of a run: the delivery report plus why the run stopped."""

    type: Literal["delivery"] = "delivery"
    exit_reason: ExitReason
    transcript: str | None = None


def protocol_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each protocol message, by message type."""
    models: dict[str, type[BaseModel]] = {
        "context_request": ContextRequest,
        "context_response": ContextResponse,
        "progress": Progress,
        "delivery": DeliveryMessage,
    }
    return {name: model.model_json_schema() for name, model in models.items()}


def gather_context(
    request: ContextRequest, root: Path, *, git: bool, tools: list[str]
) -> ContextResponse:
    """Answer a context request from the files under ``root`` (no model involved)."""
    entries = sorted(p.name + ("/" if p.is_dir() else "") for p in root.iterdir())
    return ContextResponse(
        request_type=request.request_type,
        payload=ProjectContext(
            root=str(root),
            git=git,
            specs=[p.relative_to(root).as_posix() for p in _spec_files(root, _SCAN_DEPTH)],
            entries=[e for e in entries if e.rstrip("/") not in _SKIPPED][:100],
            tools=tools,
        ),
    )


def _spec_files(folder: Path, depth: int) -> list[Path]:
    found: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and depth > 1 and entry.name not in _SKIPPED:
            found += _spec_files(entry, depth - 1)
        elif entry.suffix in (".yaml", ".yml") and _looks_like_spec(entry):
            found.append(entry)
    return found


def _looks_like_spec(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and "name" in data and "entities" in data
