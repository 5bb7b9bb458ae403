"""The command line, driven as a user would: exit codes, files written or not."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
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
        f"{spec}:2:49",
        f"{spec}:6:20",
        f"{spec}:7:29",
        f"{spec}:9:26",
        f"{spec}:10:16",
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
    assert "unknown format 'yaml'" in stderr


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
