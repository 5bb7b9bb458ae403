"""OpenAI-compatible chat completions with tool calling (OpenAI, Ollama, vLLM, LM Studio...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import openai

from backend_agent.agent.config import ProviderConfig
from backend_agent.agent.errors import ModelError
from backend_agent.agent.model import Message, Reply, ToolCall, ToolSpec, Usage

__all__ = ["OpenAIChatModel"]

_NO_KEY = "not-needed"  # local servers ignore the key, but the SDK insists on one


class OpenAIChatModel:
    """A model served over the OpenAI chat completions API."""

    def __init__(self, client: openai.OpenAI, model: str, *, max_output_tokens: int = 4096) -> None:
        self.client = client
        self.model = model
        self.max_output_tokens = max_output_tokens

    @classmethod
    def from_config(cls, config: ProviderConfig) -> OpenAIChatModel:
        """A model configured from the environment or pyproject."""
        client = openai.OpenAI(
            api_key=config.api_key or _NO_KEY,
            base_url=config.base_url,
            timeout=config.timeout,
            max_retries=config.max_retries,
        )
        return cls(client, config.model, max_output_tokens=config.max_output_tokens)

    @property
    def name(self) -> str:
        """The model's name, with the provider."""
        return f"openai:{self.model}"

    def complete(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        *,
        max_tokens: int | None = None,
    ) -> Reply:
        """Send the conversation; translate the reply's text and tool calls."""
        limit = (
            self.max_output_tokens
            if max_tokens is None
            else min(max_tokens, self.max_output_tokens)
        )
        request: dict[str, Any] = {
            "model": self.model,
            "messages": [_message(m) for m in messages],
            "max_tokens": max(1, limit),
        }
        if tools:
            request["tools"] = [_tool(t) for t in tools]
        try:
            response = self.client.chat.completions.create(**request)
        except openai.OpenAIError as exc:
            raise ModelError(f"{self.name}: {exc}") from None
        if not response.choices:
            raise ModelError(f"{self.name}: the reply has no choices")
        choice = response.choices[0]
        calls = tuple(
            ToolCall(call.id, call.function.name, call.function.arguments or "{}")
            for call in choice.message.tool_calls or []
            if call.type == "function"
        )
        usage = response.usage
        return Reply(
            text=choice.message.content or "",
            tool_calls=calls,
            usage=Usage(usage.prompt_tokens, usage.completion_tokens) if usage else Usage(),
            stop_reason=choice.finish_reason,
        )


def _message(message: Message) -> dict[str, Any]:
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    if message.role == "assistant" and message.tool_calls:
        return {
            "role": "assistant",
            "content": message.content or None,
            "tool_calls": [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for c in message.tool_calls
            ],
        }
    return {"role": message.role, "content": message.content}


def _tool(tool: ToolSpec) -> dict[str, Any]:
    function = {
        "name": tool.name,
        "description": tool.description,
        "parameters": dict(tool.parameters),
    }
    return cast(dict[str, Any], {"type": "function", "function": function})
