"""The file and shell tools: exact edits, confinement to the project, timeouts, schemas."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from backend_agent.agent import REGISTRY, Toolbox, ToolError, ToolResult, Workspace
from backend_agent.agent.tools import DOMAIN_TOOLS, ToolArgs


def call(root: Path, name: str, **arguments: Any) -> ToolResult:
    tool = REGISTRY.get(name)
    assert tool is not None
    return tool.call(Workspace(root), json.dumps(arguments))


def test_read_numbers_lines_and_pages(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one\ntwo\nthree\nfour\n")
    assert call(tmp_path, "read", path="a.txt").output == (
        "     1\tone\n     2\ttwo\n     3\tthree\n     4\tfour"
    )
    page = call(tmp_path, "read", path="a.txt", offset=2, limit=2).output
    assert page == "     2\ttwo\n     3\tthree\n[1 more lines; read again with offset 4]"


@pytest.mark.parametrize(
    ("setup", "path", "message"),
    [
        (lambda root: None, "missing.txt", "'missing.txt' does not exist"),
        (lambda root: (root / "d").mkdir(), "d", "'d' is not a file"),
        (lambda root: (root / "b.bin").write_bytes(b"\x00\x01"), "b.bin", "is a binary file"),
        (lambda root: (root / "l.txt").write_bytes(b"\xff\xfe x"), "l.txt", "is not UTF-8 text"),
    ],
)
def test_read_explains_what_it_cannot_read(
    tmp_path: Path, setup: Any, path: str, message: str
) -> None:
    setup(tmp_path)
    with pytest.raises(ToolError, match=message):
        call(tmp_path, "read", path=path)


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/passwd", "a/../../x"])
def test_paths_outside_the_project_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(ToolError, match="is outside the project"):
        call(tmp_path, "write", path=path, content="x")


def test_a_symlink_cannot_lead_outside_the_project(tmp_path: Path) -> None:
    (tmp_path / "inside").mkdir()
    (tmp_path / "inside" / "link").symlink_to(tmp_path.parent)
    with pytest.raises(ToolError, match="is outside the project"):
        call(tmp_path / "inside", "read", path="link/secret")


def test_write_creates_folders(tmp_path: Path) -> None:
    result = call(tmp_path, "write", path="src/app/main.py", content="print(1)\n")
    assert result.output == "wrote 9 characters to src/app/main.py"
    assert (tmp_path / "src/app/main.py").read_text() == "print(1)\n"


def test_write_refuses_to_shrink_a_file_to_less_than_half_unless_asked(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n" * 20)
    with pytest.raises(ToolError, match="refusing to remove 114 of the 120 characters"):
        call(tmp_path, "write", path="a.py", content="y = 2\n")
    call(tmp_path, "write", path="a.py", content="y = 2\n", allow_large_deletion=True)
    assert (tmp_path / "a.py").read_text() == "y = 2\n"


def test_edit_replaces_exactly_one_occurrence(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("a = 1\nb = 2\n")
    assert call(tmp_path, "edit", path="a.py", old_string="b = 2", new_string="b = 3").output == (
        "replaced 1 occurrence in a.py"
    )
    assert (tmp_path / "a.py").read_text() == "a = 1\nb = 3\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"old_string": "zzz", "new_string": "y"}, "old_string was not found"),
        ({"old_string": "x", "new_string": "y"}, "old_string occurs 3 times"),
        ({"old_string": "x", "new_string": "x"}, "nothing would change"),
    ],
)
def test_edit_refuses_ambiguous_or_empty_changes(
    tmp_path: Path, arguments: dict[str, str], message: str
) -> None:
    (tmp_path / "a.txt").write_text("x x x\n")
    with pytest.raises(ToolError, match=message):
        call(tmp_path, "edit", path="a.txt", **arguments)
    assert (tmp_path / "a.txt").read_text() == "x x x\n"


def test_edit_replace_all(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x x x\n")
    result = call(tmp_path, "edit", path="a.txt", old_string="x", new_string="y", replace_all=True)
    assert result.output == "replaced 3 occurrences in a.txt"
    assert (tmp_path / "a.txt").read_text() == "y y y\n"


def test_edit_refuses_to_delete_most_of_a_file_unless_asked(tmp_path: Path) -> None:
    body = "def keep():\n    pass\n\n" + "def old():\n    return 1\n\n" * 5
    (tmp_path / "m.py").write_text(body)
    removed = body[len("def keep():\n    pass\n\n") :]
    with pytest.raises(ToolError, match="allow_large_deletion"):
        call(tmp_path, "edit", path="m.py", old_string=removed, new_string="")
    assert (tmp_path / "m.py").read_text() == body
    call(
        tmp_path, "edit", path="m.py", old_string=removed, new_string="", allow_large_deletion=True
    )
    assert (tmp_path / "m.py").read_text() == "def keep():\n    pass\n\n"


def test_edit_may_remove_a_small_part_of_a_file(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("a = 1\nb = 2\nc = 3\n")
    call(tmp_path, "edit", path="m.py", old_string="b = 2\n", new_string="")
    assert (tmp_path / "m.py").read_text() == "a = 1\nc = 3\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("app/main.py", "app/db/models.py", "README.md", ".git/config", ".venv/x.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"# {name}\nTODO: fix\n")
    return tmp_path


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("**/*.py", ".", ["app/db/models.py", "app/main.py"]),
        ("*.md", ".", ["README.md"]),
        ("app/*.py", ".", ["app/main.py"]),
        ("*.py", "app", ["app/main.py"]),
        ("**/models.?y", ".", ["app/db/models.py"]),
        ("*.rs", ".", []),
    ],
)
def test_glob_matches_paths_and_skips_tool_folders(
    tree: Path, pattern: str, path: str, expected: list[str]
) -> None:
    output = call(tree, "glob", pattern=pattern, path=path).output
    assert output == ("\n".join(expected) if expected else "no files match")


def test_grep_prints_path_line_and_text(tree: Path) -> None:
    output = call(tree, "grep", pattern=r"models\.py", glob="*.py").output
    assert output == "app/db/models.py:1: # app/db/models.py"
    assert call(tree, "grep", pattern="todo", ignore_case=True, path="app").output.splitlines() == [
        "app/db/models.py:2: TODO: fix",
        "app/main.py:2: TODO: fix",
    ]
    assert call(tree, "grep", pattern="nothing-like-this").output == "no matches"


def test_grep_reports_a_bad_pattern(tree: Path) -> None:
    with pytest.raises(ToolError, match="the pattern does not compile"):
        call(tree, "grep", pattern="(unclosed")


def test_bash_reports_exit_code_and_output(tmp_path: Path) -> None:
    result = call(tmp_path, "bash", command="echo out; echo err >&2; exit 3")
    assert result.output == "exit code: 3\n--- stdout ---\nout\n\n--- stderr ---\nerr\n"
    assert result.is_error
    assert not call(tmp_path, "bash", command="true").is_error


def test_bash_runs_in_the_project_or_a_folder_inside_it(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    assert call(tmp_path, "bash", command="pwd").output.splitlines()[2] == str(tmp_path)
    assert call(tmp_path, "bash", command="pwd", cwd="sub").output.splitlines()[2] == str(
        tmp_path / "sub"
    )
    with pytest.raises(ToolError, match="is outside the project"):
        call(tmp_path, "bash", command="pwd", cwd="..")


def test_bash_kills_a_command_that_runs_too_long(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ToolError, match=r"did not finish within 0.3 seconds"):
        call(tmp_path, "bash", command="sleep 30 & sleep 30", timeout=0.3)
    assert time.monotonic() - started < 5


def test_bash_gets_no_more_time_than_the_run_has_left(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path, deadline=time.monotonic() + 0.3)
    bash = REGISTRY.get("bash")
    assert bash is not None
    with pytest.raises(ToolError, match=r"did not finish within 0\.[23]"):
        bash.call(workspace, json.dumps({"command": "sleep 30", "timeout": 600}))
    with pytest.raises(ToolError, match="no time left"):
        bash.call(workspace, json.dumps({"command": "true"}))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("{not json", "are not valid JSON"),
        ('{"path": 3}', r"path: Input should be a valid string"),
        ('{"path": "a", "colour": 1}', "colour: Extra inputs are not permitted"),
        ("{}", "path: Field required"),
    ],
)
def test_bad_arguments_are_tool_errors_that_say_what_is_wrong(
    tmp_path: Path, arguments: str, message: str
) -> None:
    tool = REGISTRY.get("read")
    assert tool is not None
    with pytest.raises(ToolError, match=message):
        tool.call(Workspace(tmp_path), arguments)


def test_a_long_output_is_cut_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("x" * 1500 + "\n" * 0 + ("y\n" * 9000))
    output = call(tmp_path, "read", path="big.txt", limit=10_000).output
    assert output.endswith("more characters not shown]")
    assert len(output) < 20_100


def test_every_tool_has_a_json_schema_and_a_description() -> None:
    for tool in REGISTRY:
        schema = tool.parameters
        assert schema["type"] == "object", tool.name
        assert schema["additionalProperties"] is False, tool.name
        assert all("description" in p for p in schema["properties"].values()), tool.name
        assert tool.description.strip(), tool.name
    assert REGISTRY.get("edit") is not None
    assert REGISTRY.get("edit").parameters["required"] == ["path", "old_string", "new_string"]  # type: ignore[union-attr]


def test_the_registry_holds_the_claude_code_tools_and_the_domain_tools() -> None:
    claude = {t.claude_name for t in REGISTRY if t.claude_name}
    assert claude == {"Read", "Write", "Edit", "Bash", "Glob", "Grep"}
    assert DOMAIN_TOOLS == (
        "design",
        "build",
        "verify",
        "review",
        "init",
        "update",
        "audit",
        "rules",
        "agents",
    )
    assert REGISTRY.get("GREP") is REGISTRY.get("grep")


def test_select_keeps_the_order_asked_and_rejects_unknown_names() -> None:
    assert REGISTRY.select(["Bash", "read"]).names == ("bash", "read")
    with pytest.raises(KeyError):
        REGISTRY.select(["deploy"])


def test_a_new_tool_is_one_arguments_model_and_one_function(tmp_path: Path) -> None:
    box = Toolbox()

    class PingArgs(ToolArgs):
        host: str

    @box.tool("ping", PingArgs)
    def ping(workspace: Workspace, args: PingArgs) -> ToolResult:
        """Say whether a host answers."""
        return ToolResult(f"{args.host} answers")

    assert box.get("PING") is not None
    assert box.get("ping").call(Workspace(tmp_path), '{"host": "db"}').output == "db answers"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="already registered"):
        box.tool("ping", PingArgs)(ping)
