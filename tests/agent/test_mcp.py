"""The MCP server, driven by the official MCP client over real stdio."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp_types import TextContent

from backend_agent.cli import main
from backend_agent.spec import spec_json_schema

from .conftest import EXAMPLES

SQL_INJECTION = """\
def find(conn, name):
    return conn.execute(f"SELECT * FROM users WHERE name = '{name}'")
"""

CLI_SERVER = (
    "import sys, typer; from backend_agent.cli.agent import register; "
    "app = typer.Typer(); register(app); app(['mcp', '--root', sys.argv[1]])"
)


def text_of(result: Any) -> str:
    [content] = result.content
    assert isinstance(content, TextContent)
    return content.text


async def session(params: StdioServerParameters) -> dict[str, Any]:
    """Connect, then collect what the tests check."""
    seen: dict[str, Any] = {}
    async with Client(params, read_timeout_seconds=60) as client:
        seen["tools"] = {t.name: t for t in (await client.list_tools()).tools}
        seen["design"] = await client.call_tool("design", {"spec": "spec.yaml", "view": "ddl"})
        seen["design_summary"] = await client.call_tool("design", {"spec": "spec.yaml"})
        seen["review"] = await client.call_tool("review", {"path": "app"})
        seen["bad"] = await client.call_tool("design", {"spec": "spec.yaml", "view": "poster"})
        seen["outside"] = await client.call_tool("review", {"path": "../.."})
        seen["unknown"] = await client.call_tool("deploy", {})
        resources = await client.list_resources()
        seen["resources"] = [str(r.uri) for r in resources.resources]
        seen["schema"] = await client.read_resource("backend-agent://schemas/spec.json")
        seen["prompts"] = [p.name for p in (await client.list_prompts()).prompts]
        seen["prompt"] = await client.get_prompt("backend-developer", {"task": "add tags"})
        seen["rules"] = await client.call_tool("rules", {"explain": "BA101"})
    return seen


@pytest.fixture
def served_project(library_project: Path) -> Path:
    (library_project / "app").mkdir()
    (library_project / "app" / "users.py").write_text(SQL_INJECTION)
    return library_project


@pytest.fixture(scope="module")
def module_seen(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("served")
    shutil.copy(EXAMPLES / "library.yaml", root / "spec.yaml")
    (root / "app").mkdir()
    (root / "app" / "users.py").write_text(SQL_INJECTION)
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "backend_agent.agent.mcp_server", str(root)]
    )
    seen = anyio.run(session, params)
    seen["root"] = root
    return seen


def test_the_domain_tools_are_listed_with_their_schemas(module_seen: dict[str, Any]) -> None:
    tools = module_seen["tools"]
    assert sorted(tools) == [
        "agents",
        "audit",
        "build",
        "design",
        "init",
        "review",
        "rules",
        "update",
        "verify",
    ]
    schema = tools["design"].input_schema
    assert schema["required"] == ["spec"]
    assert schema["properties"]["view"]["enum"] == ["summary", "ddl", "openapi", "architecture"]


@pytest.mark.parametrize(
    ("tool", "read_only", "destructive"),
    [
        ("design", True, False),
        ("review", True, False),
        ("rules", True, False),
        ("agents", True, False),
        ("build", False, True),
        ("update", False, True),
        ("verify", False, False),
        ("init", False, True),
        ("audit", False, False),
    ],
)
def test_the_annotations_say_which_tools_write(
    module_seen: dict[str, Any], tool: str, read_only: bool, destructive: bool
) -> None:
    hints = module_seen["tools"][tool].annotations
    assert (hints.read_only_hint, hints.destructive_hint) == (read_only, destructive)


def test_only_audit_reaches_outside_the_project(module_seen: dict[str, Any]) -> None:
    tools = module_seen["tools"]
    assert [name for name, t in sorted(tools.items()) if t.annotations.open_world_hint] == ["audit"]


def test_every_tool_schema_describes_every_option(module_seen: dict[str, Any]) -> None:
    for name, tool in module_seen["tools"].items():
        properties = tool.input_schema["properties"]
        assert properties, name
        undescribed = [key for key, p in properties.items() if not p.get("description")]
        assert undescribed == [], name
    tools = module_seen["tools"]
    gates = tools["audit"].input_schema["$defs"]["LiveGate"]["enum"]
    assert gates == ["seed", "load", "contract", "security"]
    assert tools["design"].input_schema["properties"]["dialect"]["enum"] == ["sqlite", "postgresql"]
    assert tools["agents"].input_schema["properties"]["action"]["enum"] == ["list", "validate"]


def test_audit_takes_the_credentials_the_audit_command_takes(module_seen: dict[str, Any]) -> None:
    properties = module_seen["tools"]["audit"].input_schema["properties"]
    assert {"tokens", "headers", "basic", "oauth2_password", "oauth2_client", "plan"} <= set(
        properties
    )
    assert properties["min_contract_cases"]["default"] == 0  # as the command's default


def test_design_answers_the_json_of_design_json(
    module_seen: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    spec = module_seen["root"] / "spec.yaml"
    capsys.readouterr()
    with pytest.raises(SystemExit) as raised:
        main(["design", str(spec), "--json"])
    assert raised.value.code == 0
    printed = json.loads(capsys.readouterr().out)
    for call in ("design", "design_summary"):  # whatever the view, the same structured answer
        assert module_seen[call].structured_content == printed, call


def test_the_design_json_names_entities_fields_relations_operations_and_migration(
    module_seen: dict[str, Any],
) -> None:
    design = module_seen["design_summary"].structured_content
    assert design["service"]["name"] == "library"
    assert design["auth"]["roles"] == ["librarian", "member"]
    entities = {e["name"]: e for e in design["entities"]}
    assert list(entities) == ["Author", "Book", "Loan"]
    book = entities["Book"]
    fields = {f["name"]: f for f in book["fields"]}
    assert (fields["isbn"]["unique"], fields["isbn"]["required"]) == (True, True)
    assert fields["genre"]["values"] == ["fiction", "science", "history", "poetry"]
    [author] = book["relations"]
    assert (author["kind"], author["target"], author["on_delete"]) == (
        "belongs_to",
        "Author",
        "RESTRICT",
    )
    assert book["permissions"]["create"] == {"kind": "roles", "roles": ["librarian"]}
    assert entities["Loan"]["owner"] is True
    operations = {(o["method"], o["path"]): o for o in design["operations"]}
    create = operations[("POST", "/api/v1/books")]
    assert (create["entity"], create["action"], create["status"]) == ("Book", "create", 201)
    # The migration creates the tables and indexes of the DDL, parents first.
    ddl = text_of(module_seen["design"])
    statements = [line.split() for line in ddl.splitlines() if line.startswith("CREATE ")]
    migration = design["migration"]
    assert sorted(migration["tables"]) == sorted(s[2] for s in statements if s[1] == "TABLE")
    indexes = [s[s.index("INDEX") + 1] for s in statements if "INDEX" in s[1:3]]
    assert indexes
    assert sorted(migration["indexes"]) == sorted(indexes)
    assert migration["tables"].index("authors") < migration["tables"].index("books")
    assert migration["file"] == "migrations/versions/0001_initial.py"


def test_design_json_is_the_summary_alone(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["design", str(EXAMPLES / "library.yaml"), "--json", "--format", "openapi"])
    assert raised.value.code == 2
    assert "--json prints the summary only" in capsys.readouterr().err


def test_the_builtin_agent_is_a_prompt_naming_its_served_tools(
    module_seen: dict[str, Any],
) -> None:
    assert module_seen["prompts"] == ["backend-developer"]
    [message] = module_seen["prompt"].messages
    text = message.content.text
    assert "use the backend-agent tools init, design, build, update, verify, review, rules;" in text
    assert text.endswith("Task: add tags")


def test_a_rule_is_explained_with_its_structured_sections(module_seen: dict[str, Any]) -> None:
    result = module_seen["rules"]
    assert not result.is_error
    assert text_of(result).startswith("BA101 ")
    assert result.structured_content["code"] == "BA101"
    assert set(result.structured_content["sections"]) >= {"Why it matters", "Example"}


def test_design_is_called_through_stdio(module_seen: dict[str, Any]) -> None:
    result = module_seen["design"]
    assert not result.is_error
    assert "CREATE TABLE books" in text_of(result)
    summary = text_of(module_seen["design_summary"])
    assert summary.startswith("service library (Library API), API under /api/v1")


def test_review_is_called_through_stdio(module_seen: dict[str, Any]) -> None:
    result = module_seen["review"]
    assert not result.is_error
    lines = text_of(result).splitlines()
    assert lines[0] == "1 finding:"
    assert lines[1].startswith("app/users.py:2:12: BA101 [high] SQL built from a run-time value")
    [finding] = result.structured_content["findings"]
    assert (finding["code"], finding["line"]) == ("BA101", 2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("bad", "error: invalid arguments for 'design':\n  view: Input should be"),
        ("outside", "error: '../..' is outside the project"),
        ("unknown", "unknown tool 'deploy'; tools: design, build, verify, review, init, "),
    ],
)
def test_mistakes_come_back_as_tool_errors(
    module_seen: dict[str, Any], call: str, message: str
) -> None:
    result = module_seen[call]
    assert result.is_error
    assert text_of(result).startswith(message)


def test_the_spec_and_protocol_schemas_are_resources(module_seen: dict[str, Any]) -> None:
    assert module_seen["resources"] == [
        "backend-agent://schemas/spec.json",
        "backend-agent://schemas/protocol/context_request.json",
        "backend-agent://schemas/protocol/context_response.json",
        "backend-agent://schemas/protocol/progress.json",
        "backend-agent://schemas/protocol/delivery.json",
    ]
    [contents] = module_seen["schema"].contents
    assert json.loads(contents.text) == spec_json_schema()


def test_the_mcp_command_serves_the_same_tools(served_project: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable, args=["-c", CLI_SERVER, str(served_project)]
    )

    async def check() -> tuple[list[str], str]:
        async with Client(params, read_timeout_seconds=60) as client:
            names = [t.name for t in (await client.list_tools()).tools]
            design = await client.call_tool("design", {"spec": "spec.yaml"})
            return names, text_of(design)

    names, summary = anyio.run(check)
    assert names[:4] == ["design", "build", "verify", "review"]
    assert summary.startswith("service library (Library API), API under /api/v1")
