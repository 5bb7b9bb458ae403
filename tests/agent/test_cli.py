"""The agent commands, on a Typer app of our own: run, agents list|show|validate|schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from backend_agent.agent import ProviderNotConfigured
from backend_agent.cli.agent import register

from .conftest import DEFINITIONS

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_validate_a_mixed_folder_reports_each_file_located(app: typer.Typer) -> None:
    result = runner.invoke(app, ["agents", "validate", str(DEFINITIONS)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"ok: {DEFINITIONS / '01_claude_style.md'} (api-reviewer)" in lines
    assert f"ok: {DEFINITIONS / '06_non_ascii.md'} (i18n-reviewer)" in lines
    located = {
        "02_no_frontmatter.txt:1:1: no YAML frontmatter",
        "03_missing_description.md:1:1: missing required field 'description'",
        "04_unknown_tools.md:4:14: unknown tool 'Deploy'",
        "04_unknown_tools.md:4:28: unknown tool 'Publish'",
        "05_invalid_name.md:2:7: invalid agent name 'Load Tester'",
    }
    for start in located:
        assert any(line.startswith(f"{DEFINITIONS / start}") for line in lines), start
    assert lines[-1] == "2 valid, 4 invalid"  # the digest file beside them is not a definition


def test_validate_one_valid_file_exits_zero(app: typer.Typer) -> None:
    result = runner.invoke(app, ["agents", "validate", str(DEFINITIONS / "01_claude_style.md")])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "1 valid, 0 invalid"


def test_validate_json_gives_located_problems(app: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("---\nname: a\ndescription: d\ntools: Read, Deploy\n---\nb\n")
    result = runner.invoke(app, ["agents", "validate", str(tmp_path), "--json"])
    assert result.exit_code == 1
    [row] = json.loads(result.output)
    assert row["valid"] is False
    [problem] = row["problems"]
    assert (problem["line"], problem["column"], problem["message"]) == (
        4,
        14,
        "unknown tool 'Deploy'",
    )


def test_list_shows_the_builtin_agents(app: typer.Typer) -> None:
    result = runner.invoke(app, ["agents", "list"])
    assert result.exit_code == 0
    assert result.output.startswith("backend-developer  [read, write, edit, bash, glob, grep,")


def test_list_a_folder_marks_invalid_files(app: typer.Typer) -> None:
    result = runner.invoke(app, ["agents", "list", str(DEFINITIONS), "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [r["valid"] for r in rows] == [True, False, False, False, False, True]
    assert [rows[0]["name"], rows[5]["name"]] == ["api-reviewer", "i18n-reviewer"]
    assert rows[0]["tools"] == ["read", "grep", "glob", "review"]
    assert rows[5]["description"].startswith("Prüft Fehlermeldungen — «des messages claires»")
    assert [r.get("problems") for r in rows[1:5]] == [1, 1, 2, 1]


def test_show_prints_fields_and_instructions(app: typer.Typer) -> None:
    result = runner.invoke(app, ["agents", "show", "backend-developer"])
    assert result.exit_code == 0
    assert result.output.startswith("name: backend-developer\ndescription: ")
    assert "## Working method" in result.output
    data = json.loads(runner.invoke(app, ["agents", "show", "backend-developer", "--json"]).output)
    assert data["model"] == "inherit"
    assert "verify" in data["tools"]


def test_show_an_unknown_agent_is_a_user_error(app: typer.Typer) -> None:
    result = runner.invoke(app, ["agents", "show", "nobody"])
    assert result.exception is not None
    assert "no built-in agent of that name" in str(result.exception)


def test_schema_prints_or_writes_the_protocol_schemas(app: typer.Typer, tmp_path: Path) -> None:
    printed = json.loads(runner.invoke(app, ["agents", "schema"]).output)
    assert list(printed) == ["context_request", "context_response", "progress", "delivery"]
    result = runner.invoke(app, ["agents", "schema", "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "context_request.schema.json",
        "context_response.schema.json",
        "delivery.schema.json",
        "progress.schema.json",
    ]


def test_run_without_a_provider_explains_how_to_configure_one(
    app: typer.Typer, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["run", "add a field", "--cwd", str(tmp_path)])
    assert isinstance(result.exception, ProviderNotConfigured)
    assert result.exception.exit_code == 2
    assert "BACKEND_AGENT_PROVIDER" in str(result.exception)
    assert not (tmp_path / ".backend-agent").exists()


def _script(tmp_path: Path, replies: list[object]) -> dict[str, str]:
    (tmp_path / "replies.yaml").write_text(yaml.safe_dump(replies))
    return {"BACKEND_AGENT_PROVIDER": "scripted", "BACKEND_AGENT_SCRIPT": "replies.yaml"}


def test_run_with_the_scripted_provider(app: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello\n")
    env = _script(
        tmp_path,
        [
            {
                "tool_calls": [
                    {
                        "name": "edit",
                        "arguments": {"path": "a.txt", "old_string": "hello", "new_string": "bye"},
                    }
                ]
            },
            "Replaced the greeting.",
        ],
    )
    result = runner.invoke(app, ["run", "say bye", "--cwd", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    assert "step 1 - edit: replaced 1 occurrence in a.txt" in result.output
    assert "exit reason: completed" in result.output
    assert "Replaced the greeting." in result.output
    assert (tmp_path / "a.txt").read_text() == "bye\n"


def test_run_json_streams_progress_then_the_delivery(app: typer.Typer, tmp_path: Path) -> None:
    env = _script(
        tmp_path,
        [{"tool_calls": [{"name": "glob", "arguments": {"pattern": "*"}}]}, "Looked around."],
    )
    result = runner.invoke(app, ["run", "look", "--cwd", str(tmp_path), "--json"], env=env)
    assert result.exit_code == 0
    messages = [json.loads(line) for line in result.output.splitlines()]
    assert [m["type"] for m in messages] == ["progress", "progress", "delivery"]
    assert messages[-1]["exit_reason"] == "completed"
    steps = messages[-1]["figures"]["run.steps"]
    assert (steps["value"], steps["command"]) == (2, "backend-agent run look")


def test_run_exits_1_when_a_budget_stops_it(app: typer.Typer, tmp_path: Path) -> None:
    env = _script(
        tmp_path,
        [{"tool_calls": [{"name": "glob", "arguments": {"pattern": f"*.{n}"}}]} for n in range(3)],
    )
    result = runner.invoke(
        app, ["run", "look", "--cwd", str(tmp_path), "--max-steps", "2"], env=env
    )
    assert result.exit_code == 1
    assert "exit reason: budget_exceeded" in result.output


def test_run_with_an_agent_file(app: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "reader.md").write_text(
        "---\nname: reader\ndescription: d\ntools: Read\n---\nRead.\n"
    )
    env = _script(
        tmp_path, [{"tool_calls": [{"name": "bash", "arguments": {"command": "ls"}}]}, "Could not."]
    )
    args = ["run", "x", "--cwd", str(tmp_path), "--agent", str(tmp_path / "reader.md")]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0
    assert "step 1 x bash: unknown tool 'bash'" in result.output
