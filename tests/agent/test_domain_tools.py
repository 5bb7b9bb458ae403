"""The domain tools (design, build, review) as a model calls them; verify is in the end-to-end test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backend_agent.agent import REGISTRY, ToolError, ToolResult, Workspace
from backend_agent.agent.tools import describe_delivery
from backend_agent.figures import Delivery, Figure, Gate


def call(root: Path, name: str, **arguments: Any) -> ToolResult:
    tool = REGISTRY.get(name)
    assert tool is not None
    return tool.call(Workspace(root), json.dumps(arguments))


def test_design_summarises_tables_routes_and_decisions(library_project: Path) -> None:
    lines = call(library_project, "design", spec="spec.yaml").output.splitlines()
    assert lines[0] == "service library (Library API), API under /api/v1"
    assert (
        "  books: id, title, isbn, genre, pages, price, available, metadata, author_id, "
        "created_at, updated_at" in lines
    )
    assert any(line.startswith("  GET    /api/v1/books  [") for line in lines)
    assert "decisions:" in lines


@pytest.mark.parametrize(
    ("view", "dialect", "start"),
    [
        ("ddl", "sqlite", "CREATE TABLE"),
        ("ddl", "postgresql", "CREATE TABLE"),
        ("architecture", "sqlite", "#"),
    ],
)
def test_design_renders_each_view(
    library_project: Path, view: str, dialect: str, start: str
) -> None:
    output = call(library_project, "design", spec="spec.yaml", view=view, dialect=dialect).output
    assert start in output


def test_design_openapi_is_json_cut_to_the_observation_limit(library_project: Path) -> None:
    output = call(library_project, "design", spec="spec.yaml", view="openapi").output
    assert output.startswith('{\n  "openapi": "3.')
    assert output.endswith("more characters not shown]")


def test_design_reports_spec_problems_with_their_location(library_project: Path) -> None:
    spec = library_project / "spec.yaml"
    spec.write_text(spec.read_text().replace("type: date, required: true", "type: dat"))
    with pytest.raises(ToolError) as caught:
        call(library_project, "design", spec="spec.yaml")
    assert f"{spec}:" in str(caught.value)
    assert "dat" in str(caught.value)


def test_review_lists_findings_with_paths_relative_to_the_project(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "db.py").write_text(
        'def find(conn, name):\n    return conn.execute(f"SELECT * FROM t WHERE n = {name}")\n'
    )
    lines = call(tmp_path, "review").output.splitlines()
    assert lines[0] == "1 finding:"
    assert lines[1].startswith("app/db.py:2:12: BA101 [high] ")


def test_review_of_clean_code(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("def add(a: int, b: int) -> int:\n    return a + b\n")
    assert call(tmp_path, "review", path="ok.py").output == "no findings in ok.py"


def test_build_without_verify_generates_and_refuses_to_overwrite(library_project: Path) -> None:
    result = call(library_project, "build", spec="spec.yaml", out="service", verify=False)
    assert result.output == "generated service (not verified: verify was false)"
    assert (library_project / "service" / "app").is_dir()
    with pytest.raises(ToolError):
        call(library_project, "build", spec="spec.yaml", out="service", verify=False)
    call(library_project, "build", spec="spec.yaml", out="service", verify=False, overwrite=True)


def test_build_refuses_an_output_folder_outside_the_project(library_project: Path) -> None:
    with pytest.raises(ToolError, match="is outside the project"):
        call(library_project, "build", spec="spec.yaml", out="../elsewhere", verify=False)
    assert not (library_project.parent / "elsewhere").exists()


def test_a_delivery_is_described_with_the_command_behind_each_figure() -> None:
    delivery = Delivery(
        status="failed",
        summary="failed gates: tests: 2 failed",
        figures={
            "tests_failed": Figure(value=2, unit="count", command="pytest -q", exit_code=1),
            "p95": Figure.not_measured("no load run"),
        },
        gates=[Gate(name="tests", status="failed", message="2 failed")],
        artifacts_dir="service/.backend-agent/reports",
    )
    assert describe_delivery(delivery).splitlines() == [
        "status: failed",
        "failed gates: tests: 2 failed",
        "gates:",
        "  tests: failed (2 failed)",
        "figures:",
        "  tests_failed: 2  <- pytest -q (exit 1)",
        "  p95: not measured",
        "artifacts: service/.backend-agent/reports",
    ]
