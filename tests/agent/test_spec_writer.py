"""Plain words -> a spec: the model drafts, the spec loader judges, problems go back for repair."""

from __future__ import annotations

import pytest

from backend_agent.agent import Reply, ScriptedModel, SpecFromTextError, spec_from_text
from backend_agent.agent.spec_writer import extract_yaml
from backend_agent.spec import load_spec_text

VALID = """name: notes
entities:
  Note:
    owner: true
    fields:
      title: {type: string, max_length: 200, required: true}
      body: text
"""
INVALID = """name: notes
entities:
  Note:
    fields:
      title: {type: strnig, max_length: 200}
"""


def fenced(text: str) -> Reply:
    return Reply(text=f"Here is the spec:\n\n```yaml\n{text}```\n")


def test_a_valid_first_draft_is_returned() -> None:
    model = ScriptedModel([fenced(VALID)])
    assert spec_from_text("A notes app where users keep their own notes.", model=model) == VALID
    system, user = model.requests[0].messages
    assert '"$schema"' in system.content  # the spec JSON Schema is in the prompt
    assert user.content == "A notes app where users keep their own notes."


def test_located_problems_go_back_to_the_model_for_repair() -> None:
    model = ScriptedModel([fenced(INVALID), fenced(VALID)])
    assert spec_from_text("notes", model=model) == VALID
    repair = model.requests[1].messages[-1]
    assert repair.role == "user"
    assert "- <model draft>:5:" in repair.content
    assert "strnig" in repair.content
    assert model.requests[1].messages[-2].content == fenced(INVALID).text


def test_repairs_are_bounded() -> None:
    model = ScriptedModel([fenced(INVALID)] * 5)
    with pytest.raises(SpecFromTextError, match="in 3 attempts") as caught:
        spec_from_text("notes", model=model, max_repairs=2)
    assert len(model.requests) == 3
    assert caught.value.problems[0].file == "<model draft>"


def test_the_result_is_a_valid_spec() -> None:
    text = spec_from_text("notes", model=ScriptedModel([Reply(text=VALID)]))
    assert load_spec_text(text).name == "notes"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("```yaml\na: 1\n```", "a: 1\n"),
        ("intro\n```YML\na: 1\n```\n```yaml\nb: 2\n```", "a: 1\n"),
        ("```\na: 1\n```", "a: 1\n"),
        ("a: 1", "a: 1\n"),
    ],
)
def test_the_yaml_is_taken_from_the_first_fenced_block(reply: str, expected: str) -> None:
    assert extract_yaml(reply) == expected
