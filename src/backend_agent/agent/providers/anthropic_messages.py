"""Anthropic's messages API with tool use."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import anthropic

from backend_agent.agent.config import ProviderConfig
from backend_agent.agent.errors import ModelError
from backend_agent.agent.model import Message, Reply, ToolCall, ToolSpec, Usage

__all__ = ["AnthropicModel"]


class AnthropicModel:
    """A Claude model over the Anthropic messages API."""

    def __init__(
        self, client: anthropic.Anthropic, model: str, *, max_output_tokens: int = 4096
    ) -> None:
        self.client = client
        self.model = model
        self.max_output_tokens = max_output_tokens

    @classmethod
    def from_config(cls, config: ProviderConfig) -> AnthropicModel:
        """A model configured from the environment or pyproject."""
        client = anthropic.Anthropic(
            api_key=config.api_key,
            base_url=config.base_url,
            timeout=config.timeout,
            max_retries=config.max_retries,
        )
        return cls(client, config.model, max_output_tokens=config.max_output_tokens)

    @property
    def name(self) -> str:
        """The model's name, with the provider."""
        return f"anthropic:{self.model}"

    def complete(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        *,
        max_tokens: int | None = None,
    ) -> Reply:
        """Send the conversation; translate the reply's text and tool-use blocks."""
        limit = (
            self.max_output_tokens
            if max_tokens is None
            else min(max_tokens, self.max_output_tokens)
        )
        request: dict[str, Any] = {
            "model": self.model,
            "max_tokens": max(1, limit),
            "messages": _conversation(messages),
        }
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        if system:
            request["system"] = system
        if tools:
            request["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": dict(t.parameters)}
                for t in tools
            ]
        try:
            response = self.client.messages.create(**request)
        except anthropic.AnthropicError as exc:
            raise ModelError(f"{self.name}: {exc}") from None
        texts, calls = [], []
        for block in response.content:
            if block.type == "text":
                texts.append(block.text)
            elif block.type == "tool_use":
                calls.append(
                    ToolCall(block.id, block.name, json.dumps(block.input, sort_keys=True))
                )
        usage = response.usage
        return Reply(
            text="\n".join(texts),
            tool_calls=tuple(calls),
            usage=Usage(usage.input_tokens, usage.output_tokens),
            stop_reason=response.stop_reason,
        )


def _conversation(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Messages in Anthropic's shape: tool results are user turns, consecutive turns merged."""
    turns: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "system":
            continue
        role = "assistant" if message.role == "assistant" else "user"
        blocks = _blocks(message)
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return turns


def _blocks(message: Message) -> list[dict[str, Any]]:
    if message.role == "tool":
        return [
            {
                "type": "tool_result",
                "tool_use_id": message.tool_call_id,
                "content": message.content,
                "is_error": message.is_error,
            }
        ]
    blocks: list[dict[str, Any]] = []
    if message.content:
        blocks.append({"type": "text", "text": message.content})
    for call in message.tool_calls:
        blocks.append({"type": "tool_use", "id": call.id, "name": call.name, "input": _input(call)})
    return blocks


def _input(call: ToolCall) -> Any:
    try:
        value = json.loads(call.arguments or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
