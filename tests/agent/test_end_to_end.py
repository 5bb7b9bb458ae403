"""A scripted model drives a realistic task: add a field to the spec, rebuild, verify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backend_agent.agent import ScriptedModel, Workspace, run_agent
from backend_agent.pipeline import build

from .conftest import git, init_repo

AVAILABLE = "      available: {type: boolean, default: true}\n"
SUBTITLE = "      subtitle: {type: string, max_length: 200, nullable: true}\n"


def step(name: str, text: str = "", **arguments: Any) -> dict[str, Any]:
    return {
        "text": text,
        "tool_calls": [{"name": name, "arguments": arguments}],
        "usage": {"input_tokens": 1000, "output_tokens": 50},
    }


SCRIPT = [
    step("Read", "Looking at the spec first.", path="spec.yaml"),
    step(
        "Edit",
        "Adding the field to Book.",
        path="spec.yaml",
        old_string=AVAILABLE,
        new_string=AVAILABLE + SUBTITLE,
    ),
    step("design", "Checking the spec still validates.", spec="spec.yaml"),
    step(
        "build",
        "Regenerating the service.",
        spec="spec.yaml",
        out="service",
        overwrite=True,
        verify=False,
    ),
    step("verify", "Running the quality gates.", project="service", live=False),
    step("Grep", "Confirming the field reached the code.", pattern="subtitle", path="service/app"),
    {"text": "Added Book.subtitle to spec.yaml, rebuilt service/ and verified it."},
]


@pytest.fixture
def generated_project(library_project: Path) -> Path:
    """A git repository holding a spec and the service generated from it."""
    build(library_project / "spec.yaml", library_project / "service", run_verify=False)
    return init_repo(library_project)


@pytest.mark.slow
def test_a_scripted_model_adds_a_field_rebuilds_and_verifies(generated_project: Path) -> None:
    root = generated_project
    result = run_agent(
        "Add an optional subtitle (up to 200 characters) to books.",
        model=ScriptedModel.from_data(SCRIPT),
        workspace=Workspace(root),
        command="backend-agent run 'Add an optional subtitle to books.'",
    )

    assert result.exit_reason == "completed", result.delivery.summary
    assert [o.is_error for s in result.steps for o in s.observations] == [False] * 6
    assert SUBTITLE in (root / "spec.yaml").read_text()
    assert "subtitle" in result.steps[5].observations[0].output

    tests_passed = result.delivery.figures["tests_passed"]
    assert tests_passed.measured
    assert tests_passed.exit_code == 0
    assert tests_passed.command
    assert {g.name: g.status for g in result.delivery.gates}["tests"] == "passed"

    lines = [json.loads(line) for line in result.transcript.read_text().splitlines()]
    assert [line["type"] for line in lines][-8:] == ["step"] * 7 + ["end"]
    assert [line["progress"]["status"] for line in lines if line["type"] == "step"] == [
        "analyzing",
        "implementing",
        "analyzing",
        "verifying",
        "verifying",
        "analyzing",
        "completed",
    ]

    edit, rebuild = result.steps[1].checkpoint, result.steps[3].checkpoint
    assert edit is not None
    assert rebuild is not None
    assert git(root, "show", "--name-only", "--format=%an|%s", edit).split() == [
        "backend-agent|backend-agent",
        "step",
        "2:",
        "Edit",
        "spec.yaml",
    ]
    changed = git(root, "show", "--name-only", "--format=", rebuild).split()
    assert changed
    assert all(path.startswith("service/") for path in changed)
    authors = git(root, "log", "--format=%an").split("\n")[:-1]
    assert authors[-1] == "Someone"
    assert set(authors[:-1]) == {"backend-agent"}
