"""The scripted model and the stepping clock: the fakes shipped for deterministic runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_agent.agent import (
    AgentError,
    Message,
    Reply,
    ScriptedModel,
    ScriptExhausted,
    SteppingClock,
    ToolCall,
    Usage,
)


def test_replies_come_in_order_and_requests_are_kept() -> None:
    model = ScriptedModel([Reply(text="one"), Reply(text="two")])
    assert model.complete([Message("user", "a")], [], max_tokens=5).text == "one"
    assert model.complete([], []).text == "two"
    assert model.requests[0].messages == (Message("user", "a"),)
    assert model.requests[0].max_tokens == 5
    with pytest.raises(ScriptExhausted, match="has only 2 replies and was asked for reply 3"):
        model.complete([], [])


def test_a_script_is_plain_data() -> None:
    model = ScriptedModel.from_data(
        [
            {
                "text": "Reading.",
                "tool_calls": [{"name": "read", "arguments": {"path": "a"}}],
                "usage": {"input_tokens": 10, "output_tokens": 2},
            },
            {"tool_calls": [{"id": "x", "name": "bash", "arguments": "{broken"}]},
            "Done.",
        ]
    )
    first, second, third = (model.complete([], []) for _ in range(3))
    assert first == Reply(
        text="Reading.",
        tool_calls=(ToolCall("call_1_1", "read", '{"path": "a"}'),),
        usage=Usage(10, 2),
        stop_reason="tool_use",
    )
    assert second.tool_calls == (ToolCall("x", "bash", "{broken"),)
    assert third == Reply(text="Done.", stop_reason="end_turn")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "x"}, "must be a list of replies"),
        ([3], "reply 1 of the model script must be a mapping"),
        ([{"tool_calls": [{"arguments": {}}]}], "tool call 1 of reply 1 needs a 'name'"),
    ],
)
def test_a_malformed_script_is_a_user_error(data: object, message: str) -> None:
    with pytest.raises(AgentError, match=message):
        ScriptedModel.from_data(data)


def test_a_script_file_must_exist_and_be_yaml(tmp_path: Path) -> None:
    with pytest.raises(AgentError, match="cannot read the model script"):
        ScriptedModel.load(tmp_path / "absent.yaml")
    (tmp_path / "bad.yaml").write_text("- [unclosed\n")
    with pytest.raises(AgentError, match="is not valid YAML"):
        ScriptedModel.load(tmp_path / "bad.yaml")


def test_tool_call_keys_ignore_ids_and_argument_order() -> None:
    a = ToolCall("1", "Read", '{"path": "a", "limit": 2}')
    b = ToolCall("2", "read", '{"limit": 2, "path": "a"}')
    assert a.key() == b.key()
    assert ToolCall("3", "read", "{bad").key() != a.key()


def test_the_stepping_clock_advances_each_time_it_is_read() -> None:
    clock = SteppingClock(start=5, step=2)
    assert [clock(), clock(), clock()] == [5, 7, 9]
