"""The agent loop: every exit reason, budgets, loop detection, observations, records on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backend_agent.agent import (
    AgentDefinition,
    Budget,
    ModelError,
    Reply,
    RunResult,
    ScriptedModel,
    SteppingClock,
    Toolbox,
    ToolCall,
    ToolResult,
    Usage,
    Workspace,
    parse_definition,
    run_agent,
)
from backend_agent.agent.tools import ToolArgs
from backend_agent.figures import Delivery, Figure, Gate

from .conftest import git, init_repo

_ids = iter(range(1_000_000))


def act(name: str, tokens: int = 0, **arguments: Any) -> Reply:
    """A reply that calls one tool."""
    return Reply(
        tool_calls=(ToolCall.of(f"c{next(_ids)}", name, arguments),), usage=Usage(tokens, 0)
    )


def answer(text: str = "Done.") -> Reply:
    return Reply(text=text)


def run(root: Path, *replies: Reply, **options: Any) -> tuple[RunResult, ScriptedModel]:
    model = ScriptedModel(replies)
    workspace = options.pop("workspace", None) or Workspace(root)
    return run_agent("do the task", model=model, workspace=workspace, **options), model


def records(result: RunResult) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.transcript.read_text().splitlines()]


def test_a_run_completes_when_the_model_answers_without_tools(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello world\n")
    result, model = run(
        tmp_path,
        act("Read", path="a.txt"),
        act("edit", path="a.txt", old_string="world", new_string="there"),
        answer("Changed the greeting."),
    )
    assert result.exit_reason == "completed"
    assert result.answer == "Changed the greeting."
    assert (tmp_path / "a.txt").read_text() == "hello there\n"
    assert [len(s.observations) for s in result.steps] == [1, 1, 0]
    assert result.steps[0].observations[0].output == "     1\thello world"
    assert len(model.requests) == 3


def test_the_model_sees_the_instructions_the_task_the_context_and_each_observation(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.txt").write_text("hello\n")
    definition = parse_definition("---\nname: t\ndescription: d\ntools: Read\n---\nBe brief.\n")
    _, model = run(tmp_path, act("read", path="a.txt"), answer(), definition=definition)
    system, task = model.requests[0].messages
    assert system.role == "system"
    assert system.content.startswith("Be brief.\n")
    assert "- read: Read a text file" in system.content
    assert task.role == "user"
    assert task.content.startswith("Task: do the task\n")
    assert '"type": "context_response"' in task.content
    assert [t.name for t in model.requests[0].tools] == ["read"]
    assistant, observation = model.requests[1].messages[2:]
    assert assistant.tool_calls[0].name == "read"
    assert (observation.role, observation.content) == ("tool", "     1\thello")
    assert observation.tool_call_id == assistant.tool_calls[0].id


@pytest.mark.parametrize(
    ("reply", "observed"),
    [
        (act("deploy"), "unknown tool 'deploy'; this agent may call: read,"),
        (act("read"), "error: invalid arguments for 'read':\n  path: Field required"),
        (act("read", path="../secret"), "error: '../secret' is outside the project"),
        (Reply(tool_calls=(ToolCall("x", "read", "{oops"),)), "error: the arguments of 'read'"),
        (act("bash", command="exit 4"), "exit code: 4"),
    ],
)
def test_a_model_mistake_becomes_an_observation_and_the_run_goes_on(
    tmp_path: Path, reply: Reply, observed: str
) -> None:
    definition = parse_definition("---\nname: t\ndescription: d\ntools: read, bash\n---\nb\n")
    result, model = run(tmp_path, reply, answer(), definition=definition)
    [observation] = result.steps[0].observations
    assert observation.is_error
    assert observation.output.startswith(observed)
    assert model.requests[1].messages[-1].is_error
    assert result.exit_reason == "completed"


def test_a_tool_the_definition_does_not_allow_is_refused(tmp_path: Path) -> None:
    definition = parse_definition("---\nname: t\ndescription: d\ntools: Read\n---\nb\n")
    result, _ = run(tmp_path, act("write", path="x", content="y"), answer(), definition=definition)
    assert result.steps[0].observations[0].output.startswith("unknown tool 'write'")
    assert not (tmp_path / "x").exists()


def test_our_own_bug_in_a_tool_raises(tmp_path: Path) -> None:
    box = Toolbox()

    @box.tool("broken", ToolArgs)
    def broken(workspace: Workspace, args: ToolArgs) -> ToolResult:
        """Always fails."""
        raise RuntimeError("a bug in backend-agent")

    with pytest.raises(RuntimeError, match="a bug in backend-agent"):
        run(tmp_path, act("broken"), answer(), toolbox=box, definition=_everything())
    [transcript] = tmp_path.glob(".backend-agent/runs/*/transcript.jsonl")
    last = json.loads(transcript.read_text().splitlines()[-1])
    assert last == {"type": "crash", "error": "RuntimeError: a bug in backend-agent"}


def _everything() -> AgentDefinition:
    return parse_definition("---\nname: t\ndescription: d\n---\nUse any tool.\n")


def test_the_step_budget_stops_the_run(tmp_path: Path) -> None:
    replies = [act("glob", pattern=f"*.{n}") for n in range(5)]
    result, model = run(tmp_path, *replies, budget=Budget(max_steps=3))
    assert result.exit_reason == "budget_exceeded"
    assert result.answer == "the step budget (3 steps) is used up"
    assert len(result.steps) == len(model.requests) == 3


def test_the_token_budget_stops_the_run_and_limits_each_reply(tmp_path: Path) -> None:
    replies = [act("glob", tokens=400, pattern=f"*.{n}") for n in range(5)]
    result, model = run(tmp_path, *replies, budget=Budget(max_tokens=1000))
    assert result.exit_reason == "budget_exceeded"
    assert result.answer == "the token budget is used up (1200 of 1000 tokens)"
    assert result.tokens == 1200
    assert [r.max_tokens for r in model.requests] == [1000, 600, 200]


def test_the_time_budget_stops_the_run(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path, clock=SteppingClock(step=10))
    replies = [act("glob", pattern=f"*.{n}") for n in range(20)]
    result, model = run(tmp_path, *replies, budget=Budget(max_seconds=60), workspace=workspace)
    assert result.exit_reason == "budget_exceeded"
    assert result.answer.startswith("the time budget is used up")
    assert 1 <= len(model.requests) < 20


def test_repeating_the_same_action_is_detected_as_a_loop(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x\n")
    same = [act("read", path="a.txt") for _ in range(5)]
    result, model = run(tmp_path, *same)
    assert result.exit_reason == "loop_detected"
    assert result.answer == "the model asked for the same action (read) 3 times in a row"
    assert len(result.steps) == 2
    assert len(model.requests) == 3
    assert "already taken" not in result.steps[0].observations[0].output
    assert "repeating it again will end the run" in result.steps[1].observations[0].output


def test_the_same_action_with_other_steps_between_is_not_a_loop(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x\n")
    replies = [act("read", path="a.txt"), act("glob", pattern="*"), act("read", path="a.txt")] * 2
    result, _ = run(tmp_path, *replies, answer())
    assert result.exit_reason == "completed"


def test_a_provider_failure_ends_the_run_with_error(tmp_path: Path) -> None:
    class Failing:
        name = "failing"

        def complete(self, *args: Any, **kwargs: Any) -> Reply:
            raise ModelError("HTTP 401: invalid API key")

    result = run_agent("task", model=Failing(), workspace=Workspace(tmp_path))
    assert result.exit_reason == "error"
    assert result.answer == "the model failed: HTTP 401: invalid API key"
    assert result.delivery.status == "failed"


def test_a_script_that_runs_out_ends_the_run_with_error(tmp_path: Path) -> None:
    result, _ = run(tmp_path, act("glob", pattern="*"))
    assert result.exit_reason == "error"
    assert "has only 1 replies and was asked for reply 2" in result.answer


def _verify_box(status: str) -> Toolbox:
    box = Toolbox()

    @box.tool("verify", ToolArgs)
    def verify(workspace: Workspace, args: ToolArgs) -> ToolResult:
        """Pretend to verify."""
        figure = Figure(
            value=3 if status == "failed" else 0,
            unit="count",
            command="pytest -q",
            exit_code=1 if status == "failed" else 0,
            artifact="reports/pytest.txt",
        )
        gate = Gate(name="tests", status="failed" if status == "failed" else "passed")
        delivery = Delivery(
            status=status,
            summary=f"verify {status}",  # type: ignore[arg-type]
            figures={"tests_failed": figure},
            gates=[gate],
            artifacts_dir="reports",
        )
        return ToolResult("measured", is_error=status == "failed", delivery=delivery)

    return box


def test_finishing_after_a_failed_gate_is_reported_as_gate_failed(tmp_path: Path) -> None:
    result, _ = run(
        tmp_path,
        act("verify"),
        answer("All good!"),
        toolbox=_verify_box("failed"),
        definition=_everything(),
    )
    assert result.exit_reason == "gate_failed"
    assert result.delivery.status == "failed"
    assert result.delivery.gates[0].status == "failed"
    assert result.delivery.figures["tests_failed"].value == 3


def test_the_delivery_carries_measured_figures_with_their_provenance(tmp_path: Path) -> None:
    result, _ = run(
        tmp_path,
        act("verify"),
        answer("Verified."),
        toolbox=_verify_box("completed"),
        definition=_everything(),
        command="backend-agent run 'x'",
    )
    delivery = result.delivery
    assert (delivery.exit_reason, delivery.status, delivery.summary) == (
        "completed",
        "completed",
        "Verified.",
    )
    tests = delivery.figures["tests_failed"]
    assert (tests.command, tests.exit_code, tests.artifact) == (
        "pytest -q",
        0,
        "reports/pytest.txt",
    )
    steps = delivery.figures["run.steps"]
    assert (steps.value, steps.command, steps.artifact) == (
        2,
        "backend-agent run 'x'",
        str(result.transcript),
    )
    assert delivery.figures["run.tokens"].measured
    assert delivery.transcript == str(result.transcript)


def test_the_transcript_records_the_whole_run(tmp_path: Path) -> None:
    result, _ = run(tmp_path, act("glob", pattern="*"), answer("Nothing to do."))
    assert result.transcript.parent.parent == tmp_path / ".backend-agent" / "runs"
    lines = records(result)
    assert [line["type"] for line in lines] == [
        "start",
        "context_request",
        "context_response",
        "step",
        "step",
        "end",
    ]
    assert lines[0]["task"] == "do the task"
    assert lines[1]["message"]["requesting_agent"] == "backend-developer"
    assert lines[3]["step"]["reply"]["tool_calls"][0]["name"] == "glob"
    assert lines[3]["progress"]["type"] == "progress"
    assert lines[3]["progress"]["status"] == "analyzing"
    assert lines[4]["progress"]["status"] == "completed"
    assert lines[5]["message"]["exit_reason"] == "completed"


def test_each_run_gets_its_own_folder(tmp_path: Path) -> None:
    first, _ = run(tmp_path, answer())
    second, _ = run(tmp_path, answer())
    assert first.run_dir != second.run_dir
    assert first.transcript.is_file()
    assert second.transcript.is_file()


def test_each_changing_step_is_a_git_checkpoint_by_a_fixed_author(tmp_path: Path) -> None:
    root = init_repo(tmp_path)
    result, _ = run(
        root,
        act("write", path="a.txt", content="one\n"),
        act("read", path="a.txt"),
        act("edit", path="a.txt", old_string="one", new_string="two"),
        answer(),
    )
    assert [s.checkpoint is not None for s in result.steps] == [True, False, True, False]
    log = git(root, "log", "--format=%an <%ae>|%s").splitlines()
    assert log == [
        "backend-agent <backend-agent@localhost>|backend-agent step 3: edit",
        "backend-agent <backend-agent@localhost>|backend-agent step 1: write",
        "Someone <someone@example.com>|start",
    ]
    assert git(root, "rev-parse", "HEAD").strip() == result.steps[2].checkpoint
    assert git(root, "status", "--porcelain") == ""  # the run records are not committed


def test_checkpoints_commit_only_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    root = init_repo(tmp_path)
    (root / "elsewhere.txt").write_text("the user's own change\n")
    git(root, "add", "elsewhere.txt")
    result, _ = run(root / "work", act("write", path="b.txt", content="b\n"), answer())
    assert result.steps[0].checkpoint is not None
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == ["work/b.txt"]
    assert git(root, "status", "--porcelain").strip() == "A  elsewhere.txt"


def test_no_checkpoints_outside_git_or_when_turned_off(tmp_path: Path) -> None:
    result, _ = run(tmp_path, act("write", path="a.txt", content="a\n"), answer())
    assert result.steps[0].checkpoint is None
    root = init_repo(tmp_path / "repo" if (tmp_path / "repo").mkdir() is None else tmp_path)
    result, _ = run(root, act("write", path="a.txt", content="a\n"), answer(), checkpoints=False)
    assert result.steps[0].checkpoint is None
    assert len(git(root, "log", "--format=%s").splitlines()) == 1


def test_an_observer_sees_every_step_with_its_progress(tmp_path: Path) -> None:
    seen: list[tuple[int, str]] = []
    run(
        tmp_path,
        act("write", path="a", content="a"),
        answer(),
        observer=lambda step, progress: seen.append((step.number, progress.status)),
    )
    assert seen == [(1, "implementing"), (2, "completed")]


def test_budget_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="max_steps >= 1"):
        Budget(max_steps=0)
