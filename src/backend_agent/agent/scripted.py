"""Fakes shipped with the package: a model whose replies are written in advance, and a clock.

``ScriptedModel`` makes the agent loop deterministic, for tests and for
demonstrations (``BACKEND_AGENT_PROVIDER=scripted BACKEND_AGENT_SCRIPT=replies.yaml``).
A script is a list of replies; each has optional ``text``, ``tool_calls``
(``name`` and ``arguments``) and ``usage`` (``input_tokens``, ``output_tokens``)::

    - text: Adding the field.
      tool_calls:
        - name: edit
          arguments: {path: spec.yaml, old_string: "a: 1", new_string: "a: 2"}
      usage: {input_tokens: 1200, output_tokens: 80}
    - text: Done.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from backend_agent.agent.errors import AgentError, ScriptExhausted
from backend_agent.agent.model import Message, Reply, ToolCall, ToolSpec, Usage

__all__ = ["ScriptedModel", "ScriptedRequest", "SteppingClock"]


@dataclass(frozen=True)
class ScriptedRequest:
    """What the loop sent to the scripted model, kept so tests can check it."""

    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...]
    max_tokens: int | None


class ScriptedModel:
    """A model that answers with the next reply of its script, whatever it is asked."""

    def __init__(self, replies: Iterable[Reply], *, name: str = "scripted") -> None:
        self._replies = list(replies)
        self._name = name
        self.requests: list[ScriptedRequest] = []

    @property
    def name(self) -> str:
        """The model's name."""
        return self._name

    @classmethod
    def from_data(cls, data: Any, *, name: str = "scripted") -> ScriptedModel:
        """A model from plain data: a list of reply mappings (see the module docstring)."""
        if not isinstance(data, list):
            raise AgentError("a model script must be a list of replies")
        return cls([_reply(item, number) for number, item in enumerate(data, 1)], name=name)

    @classmethod
    def load(cls, path: Path) -> ScriptedModel:
        """A model from a YAML or JSON script file."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise AgentError(f"cannot read the model script {path}: {exc}") from None
        except yaml.YAMLError as exc:
            raise AgentError(f"the model script {path} is not valid YAML: {exc}") from None
        return cls.from_data(data, name=f"scripted:{path.name}")

    def complete(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        *,
        max_tokens: int | None = None,
    ) -> Reply:
        """The next scripted reply; raise ``ScriptExhausted`` when there is none."""
        self.requests.append(ScriptedRequest(tuple(messages), tuple(tools), max_tokens))
        if len(self.requests) > len(self._replies):
            raise ScriptExhausted(
                f"the scripted model has only {len(self._replies)} replies "
                f"and was asked for reply {len(self.requests)}"
            )
        return self._replies[len(self.requests) - 1]


def _reply(item: Any, number: int) -> Reply:
    if isinstance(item, str):
        return Reply(text=item, stop_reason="end_turn")
    if not isinstance(item, Mapping):
        raise AgentError(f"reply {number} of the model script must be a mapping or a string")
    calls = []
    for index, call in enumerate(item.get("tool_calls") or [], 1):
        if not isinstance(call, Mapping) or not isinstance(call.get("name"), str):
            raise AgentError(f"tool call {index} of reply {number} needs a 'name'")
        arguments = call.get("arguments", {})
        text = arguments if isinstance(arguments, str) else json.dumps(arguments, sort_keys=True)
        calls.append(
            ToolCall(
                id=str(call.get("id", f"call_{number}_{index}")), name=call["name"], arguments=text
            )
        )
    usage = item.get("usage") or {}
    return Reply(
        text=str(item.get("text", "")),
        tool_calls=tuple(calls),
        usage=Usage(int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))),
        stop_reason="tool_use" if calls else "end_turn",
    )


class SteppingClock:
    """A monotonic clock that advances by ``step`` seconds each time it is read."""

    def __init__(self, *, start: float = 0.0, step: float = 1.0) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> float:
        """The current time, then advance."""
        value = self.now
        self.now += self.step
        return value
