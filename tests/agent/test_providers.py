"""The real openai and anthropic SDK code paths, against stub servers on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backend_agent.agent import (
    Message,
    ModelError,
    ProviderConfig,
    ToolCall,
    ToolSpec,
    Workspace,
    create_model,
    parse_definition,
    run_agent,
)

from .stub_http import StubServer

READ = ToolSpec(
    "read", "Read a file.", {"type": "object", "properties": {"path": {"type": "string"}}}
)
READER = parse_definition("---\nname: reader\ndescription: d\ntools: Read\n---\nRead things.\n")


def openai_reply(message: dict[str, Any], finish: str, usage: tuple[int, int]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "local-model",
        "choices": [{"index": 0, "finish_reason": finish, "message": message}],
        "usage": {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": sum(usage),
        },
    }


OPENAI_TOOL_CALL = openai_reply(
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_a",
                "type": "function",
                "function": {"name": "read", "arguments": '{"path": "a.txt"}'},
            }
        ],
    },
    "tool_calls",
    (50, 7),
)
OPENAI_ANSWER = openai_reply({"role": "assistant", "content": "It says hello."}, "stop", (80, 5))


def anthropic_reply(
    content: list[dict[str, Any]], stop: str, usage: tuple[int, int]
) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": usage[0], "output_tokens": usage[1]},
    }


ANTHROPIC_TOOL_USE = anthropic_reply(
    [
        {"type": "text", "text": "Reading it."},
        {"type": "tool_use", "id": "toolu_1", "name": "read", "input": {"path": "a.txt"}},
    ],
    "tool_use",
    (40, 9),
)
ANTHROPIC_ANSWER = anthropic_reply(
    [{"type": "text", "text": "It says hello."}], "end_turn", (70, 4)
)


def openai_model(server: StubServer) -> Any:
    config = ProviderConfig(
        "openai",
        "local-model",
        base_url=f"{server.url}/v1",
        api_key="sk-test",
        max_output_tokens=512,
        max_retries=0,
    )
    return create_model(config)


def anthropic_model(server: StubServer) -> Any:
    config = ProviderConfig(
        "anthropic",
        "claude-test",
        base_url=server.url,
        api_key="ak-test",
        max_output_tokens=512,
        max_retries=0,
    )
    return create_model(config)


CONVERSATION = [
    Message("system", "Be brief."),
    Message("user", "What does a.txt say?"),
    Message("assistant", "", (ToolCall("call_a", "read", '{"path": "a.txt"}'),)),
    Message("tool", "     1\thello", tool_call_id="call_a"),
]


def test_openai_tool_calls_are_read_from_the_wire() -> None:
    with StubServer([(200, OPENAI_TOOL_CALL)]) as server:
        reply = openai_model(server).complete(CONVERSATION[:2], [READ], max_tokens=100)
    assert reply.tool_calls == (ToolCall("call_a", "read", '{"path": "a.txt"}'),)
    assert (reply.usage.input_tokens, reply.usage.output_tokens) == (50, 7)
    assert reply.stop_reason == "tool_calls"
    [request] = server.received
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.body["model"] == "local-model"
    assert request.body["max_tokens"] == 100
    assert request.body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "read",
                "description": "Read a file.",
                "parameters": READ.parameters,
            },
        }
    ]


def test_openai_gets_tool_results_in_its_own_format() -> None:
    with StubServer([(200, OPENAI_ANSWER)]) as server:
        reply = openai_model(server).complete(CONVERSATION, [READ])
    assert reply.text == "It says hello."
    assert reply.tool_calls == ()
    assert server.received[0].body["max_tokens"] == 512
    assert server.received[0].body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What does a.txt say?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "read", "arguments": '{"path": "a.txt"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": "     1\thello"},
    ]


def test_anthropic_tool_use_is_read_from_the_wire() -> None:
    with StubServer([(200, ANTHROPIC_TOOL_USE)]) as server:
        reply = anthropic_model(server).complete(CONVERSATION[:2], [READ], max_tokens=100)
    assert reply.text == "Reading it."
    assert reply.tool_calls == (ToolCall("toolu_1", "read", '{"path": "a.txt"}'),)
    assert (reply.usage.input_tokens, reply.usage.output_tokens) == (40, 9)
    [request] = server.received
    assert request.path == "/v1/messages"
    assert "ak-test" in (request.headers.get("x-api-key"), request.headers["authorization"][7:])
    assert request.body["system"] == "Be brief."
    assert request.body["max_tokens"] == 100
    assert request.body["tools"] == [
        {"name": "read", "description": "Read a file.", "input_schema": READ.parameters}
    ]


def test_anthropic_gets_tool_results_as_a_user_turn() -> None:
    conversation = [
        *CONVERSATION,
        Message("tool", "error: no", tool_call_id="call_b", is_error=True),
    ]
    with StubServer([(200, ANTHROPIC_ANSWER)]) as server:
        reply = anthropic_model(server).complete(conversation, [READ])
    assert reply.text == "It says hello."
    assert server.received[0].body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "What does a.txt say?"}]},
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "call_a", "name": "read", "input": {"path": "a.txt"}}
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "call_a",
                    "content": "     1\thello",
                    "is_error": False,
                },
                {
                    "type": "tool_result",
                    "tool_use_id": "call_b",
                    "content": "error: no",
                    "is_error": True,
                },
            ],
        },
    ]


@pytest.mark.parametrize(
    ("make", "replies"),
    [
        (openai_model, [OPENAI_TOOL_CALL, OPENAI_ANSWER]),
        (anthropic_model, [ANTHROPIC_TOOL_USE, ANTHROPIC_ANSWER]),
    ],
    ids=["openai", "anthropic"],
)
def test_a_provider_drives_the_loop_through_a_tool_call(
    tmp_path: Path, make: Any, replies: list[dict[str, Any]]
) -> None:
    (tmp_path / "a.txt").write_text("hello\n")
    with StubServer([(200, r) for r in replies]) as server:
        result = run_agent(
            "What does a.txt say?",
            model=make(server),
            workspace=Workspace(tmp_path),
            definition=READER,
        )
    assert result.exit_reason == "completed"
    assert result.answer == "It says hello."
    assert result.steps[0].observations[0].output == "     1\thello"
    assert result.tokens == sum(
        r["usage"].get("prompt_tokens", r["usage"].get("input_tokens", 0))
        + r["usage"].get("completion_tokens", r["usage"].get("output_tokens", 0))
        for r in replies
    )
    observed = json.dumps("     1\thello")[1:-1]  # as it travels, escaped
    assert observed in json.dumps(server.received[1].body["messages"][-1])


@pytest.mark.parametrize("make", [openai_model, anthropic_model], ids=["openai", "anthropic"])
def test_a_provider_error_ends_the_run_with_error(tmp_path: Path, make: Any) -> None:
    body = {"error": {"type": "authentication_error", "message": "invalid x-api-key"}}
    with StubServer([(401, body)]) as server:
        model = make(server)
        with pytest.raises(ModelError, match="401"):
            model.complete(CONVERSATION[:2], [])
        server.replies.append((401, body))
        result = run_agent("task", model=model, workspace=Workspace(tmp_path), definition=READER)
    assert result.exit_reason == "error"
    assert "401" in result.answer


def test_an_openai_compatible_server_needs_no_api_key() -> None:
    with StubServer([(200, OPENAI_ANSWER)]) as server:
        config = ProviderConfig("openai", "llama", base_url=f"{server.url}/v1", max_retries=0)
        model = create_model(config)
        assert model.name == "openai:llama"
        assert model.complete(CONVERSATION[:2], []).text == "It says hello."
    assert "tools" not in server.received[0].body
