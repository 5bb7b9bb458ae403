"""The model seam: what the loop sends to an LLM and what it gets back.

A model is anything with a ``name`` and a ``complete`` method. Providers
(OpenAI-compatible, Anthropic) translate these plain dataclasses to and from
their wire formats; ``ScriptedModel`` replays replies written in advance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = ["Message", "Model", "Reply", "Role", "ToolCall", "ToolSpec", "Usage"]

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolCall:
    """One tool call a model asked for; ``arguments`` is the JSON text it wrote."""

    id: str
    name: str
    arguments: str = "{}"

    @classmethod
    def of(cls, id: str, name: str, arguments: Mapping[str, Any]) -> ToolCall:
        """A call whose arguments are given as data rather than JSON text."""
        return cls(id=id, name=name, arguments=json.dumps(dict(arguments), sort_keys=True))

    def key(self) -> str:
        """A canonical form of the call, equal for equal actions whatever their id."""
        try:
            arguments: Any = json.loads(self.arguments)
        except json.JSONDecodeError:
            arguments = self.arguments
        return json.dumps([self.name.lower(), arguments], sort_keys=True)


@dataclass(frozen=True)
class Message:
    """One entry of the conversation, in the provider-neutral shape."""

    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None  # for role "tool": the call this answers
    is_error: bool = False  # for role "tool": the call failed


@dataclass(frozen=True)
class Usage:
    """Tokens a reply cost, as the provider reported them (0 when it did not)."""

    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class Reply:
    """What the model answered: text, tool calls, or both."""

    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = field(default_factory=Usage)
    stop_reason: str | None = None


@dataclass(frozen=True)
class ToolSpec:
    """A tool as a model sees it: a name, what it does, and its arguments' JSON Schema."""

    name: str
    description: str
    parameters: Mapping[str, Any]


@runtime_checkable
class Model(Protocol):
    """An LLM that answers a conversation, possibly with tool calls."""

    @property
    def name(self) -> str:
        """The model's name, for transcripts and reports."""
        ...

    def complete(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        *,
        max_tokens: int | None = None,
    ) -> Reply:
        """Answer ``messages``; raise ``ModelError`` when the provider fails."""
        ...
