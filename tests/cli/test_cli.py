"""The command line, driven as a user would: exit codes, files written or not."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from backend_agent.cli import main
from tests.conftest import ROOT

BLOG = ROOT / "examples" / "blog.yaml"
FIVE_MISTAKES = """\
name: shop
auth: {roles: [admin, clerk], default_role: clark}
entities:
  Product:
    fields:
      price: {type: decimel}
      name: {type: string, max_lenght: 80}
    relations:
      maker: {belongs_to: Maker}
    filters: [colour]
    permissions: {delete: [boss]}
"""


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run the CLI in-process, as ``backend-agent ARGS``; return (exit code, stdout, stderr)."""

    def invoke(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


Run = Callable[..., tuple[int, str, str]]


def test_the_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "backend_agent", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0
    assert "build" in result.stdout


def test_invalid_spec_lists_every_mistake_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(FIVE_MISTAKES)
    out = tmp_path / "out"
    code, _, stderr = run("build", str(spec), "-o", str(out))
    assert code == 2
    assert not out.exists()
    located = [line.strip() for line in stderr.splitlines() if line.strip().startswith(str(spec))]
    assert [line.split(": ", 1)[0] for line in located] == [
        f"{spec}:2:45",
        f"{spec}:6:21",
        f"{spec}:7:28",
        f"{spec}:9:27",
        f"{spec}:10:15",
        f"{spec}:11:28",
    ]
    assert "did you mean 'decimal'?" in stderr
    assert "did you mean 'max_length'?" in stderr


def test_init_writes_a_spec_that_designs(run: Run, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    assert run("init", "todo", "-o", str(spec))[0] == 0
    assert "name: todo" in spec.read_text()
    code, stdout, _ = run("design", str(spec), "--format", "openapi")
    assert code == 0
    validate(json.loads(stdout))


def test_init_refuses_to_overwrite(run: Run, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("mine\n")
    code, _, stderr = run("init", "-o", str(spec))
    assert code == 2
    assert "already exists" in stderr
    assert spec.read_text() == "mine\n"


def test_design_writes_every_document(run: Run, tmp_path: Path) -> None:
    code, _, _ = run("design", str(BLOG), "-o", str(tmp_path))
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ARCHITECTURE.md",
        "openapi.json",
        "schema.postgresql.sql",
        "schema.sqlite.sql",
    ]


def test_design_rejects_an_unknown_format(run: Run) -> None:
    code, _, stderr = run("design", str(BLOG), "--format", "yaml")
    assert code == 2
    assert "'yaml' is not one of 'all', 'ddl-sqlite'" in stderr


def test_schema_is_json(run: Run) -> None:
    code, stdout, _ = run("schema")
    assert code == 0
    assert json.loads(stdout)["title"] == "backend-agent service spec"


@pytest.mark.parametrize("command", ["build", "verify"])
def test_missing_arguments_are_usage_errors(run: Run, command: str) -> None:
    code, _, stderr = run(command)
    assert code == 2
    assert "Missing" in stderr


def test_verify_of_a_non_project_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    code, _, stderr = run("verify", str(tmp_path))
    assert code == 3
    assert "no app/ package" in stderr


def test_build_from_text_repairs_the_model_spec_then_generates(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = "name: todo\nentities:\n  Task:\n    fields: {title: {type: string, required: true}}\n"
    replies = [f"```yaml\n{good.replace('type: string', 'type: strng')}```", f"```yaml\n{good}```"]
    (tmp_path / "replies.yaml").write_text(yaml.safe_dump(replies))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BACKEND_AGENT_PROVIDER", "scripted")
    monkeypatch.setenv("BACKEND_AGENT_SCRIPT", "replies.yaml")
    code, _, stderr = run("build", "--from-text", "a to-do list", "-o", "todo", "--no-verify")
    assert code == 0, stderr
    assert (tmp_path / "todo.spec.yaml").read_text() == good
    assert (tmp_path / "todo" / "app" / "main.py").is_file()
    assert (tmp_path / "todo" / ".backend-agent" / "spec.yaml").read_text() == good


def test_build_from_text_without_a_provider_explains_how_to_configure(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "BACKEND_AGENT_PROVIDER",
        "BACKEND_AGENT_MODEL",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    code, _, stderr = run("build", "--from-text", "a to-do list", "-o", "todo")
    assert code == 2
    assert "no LLM provider is configured" in stderr
    assert not (tmp_path / "todo").exists()


def test_build_overwrite_refuses_a_folder_it_did_not_generate(run: Run, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (repo / "notes.txt").write_text("mine\n")
    code, _, stderr = run("build", str(BLOG), "-o", str(repo), "--overwrite", "--no-verify")
    assert code == 2
    assert str(repo) in stderr
    assert "did not generate it" in stderr
    assert sorted(p.name for p in repo.iterdir()) == [".git", "notes.txt"]
    assert (repo / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


def test_build_overwrite_keeps_a_generated_project_put_under_git(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "blog"
    assert run("build", str(BLOG), "-o", str(out), "--no-verify")[0] == 0
    assert run("build", str(BLOG), "-o", str(out), "--overwrite", "--no-verify")[0] == 0
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    code, _, stderr = run("build", str(BLOG), "-o", str(out), "--overwrite", "--no-verify")
    assert code == 2
    assert f"backend-agent update {out}" in stderr
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"


def test_version_prints_the_package_version(run: Run) -> None:
    from backend_agent._version import __version__

    code, stdout, _ = run("--version")
    assert code == 0
    assert stdout == f"backend-agent {__version__}\n"


COMMANDS = ["init", "schema", "design", "build", "verify", "update", "review", "rules",
            "audit", "run", "mcp", "agents", "agents list", "agents show", "agents validate"]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_flags_as_flags_and_choices_as_choices(run: Run, command: str) -> None:
    code, stdout, _ = run(*command.split(), "--help")
    assert code == 0
    assert "<bool>" not in stdout
    expected = {
        "build": ["--overwrite / --no-overwrite", "--jobs-engine <table|pgqueuer>", "--no-live  "],
        "verify": ["--jobs-engine <table|pgqueuer>"],
        "design": ["--format <all|ddl-sqlite|ddl-postgresql|openapi|architecture>"],
        "audit": ["--gate <list[seed|load|contract|security]>"],
        "review": ["--format <text|json|sarif>"],
    }.get(command, [])
    flat = " ".join(stdout.split())
    for text in expected:
        assert " ".join(text.split()) in flat


def test_a_choice_outside_the_list_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    code, _, stderr = run("verify", str(tmp_path), "--jobs-engine", "celery")
    assert code == 2
    assert "'celery' is not one of 'table', 'pgqueuer'" in stderr
