"""Agent definition files: markdown + YAML frontmatter, validated with located problems."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from backend_agent.agent import (
    DefinitionError,
    builtin_definitions,
    check_definitions,
    find_definition,
    load_definition,
    parse_definition,
)
from backend_agent.errors import Problem

from .conftest import DEFINITIONS


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, "agent.md")
    return caught.value.problems


def test_a_valid_definition_gives_its_fields_and_instructions() -> None:
    definition = parse_definition(
        "---\nname: api-helper\ndescription: Helps with APIs.\ntools: Read, Edit, build\n"
        "model: gpt-4o-mini\n---\nBe careful.\n",
        "agent.md",
    )
    assert definition.name == "api-helper"
    assert definition.description == "Helps with APIs."
    assert definition.tools == ("read", "edit", "build")
    assert definition.model == "gpt-4o-mini"
    assert definition.instructions == "Be careful."
    assert definition.path == Path("agent.md")


@pytest.mark.parametrize(
    ("tools", "expected"),
    [
        ("tools: READ, write, Glob", ("read", "write", "glob")),
        ("tools: [Bash, grep]", ("bash", "grep")),
        ("tools:\n  - design\n  - Review", ("design", "review")),
        ("tools: Read, read", ("read",)),
    ],
)
def test_tool_names_are_case_insensitive_claude_code_aliases(
    tools: str, expected: tuple[str, ...]
) -> None:
    text = f"---\nname: a\ndescription: d\n{tools}\n---\nbody\n"
    assert parse_definition(text).tools == expected


def test_without_tools_the_agent_may_use_every_tool() -> None:
    definition = parse_definition("---\nname: a\ndescription: d\n---\nbody\n")
    assert definition.tools is None
    assert "bash" in definition.toolbox().names


def test_model_inherit_means_the_configured_model() -> None:
    assert parse_definition("---\nname: a\ndescription: d\nmodel: inherit\n---\nb\n").model is None


def test_an_unknown_tool_is_located_at_its_column_with_a_suggestion() -> None:
    [problem] = problems_of("---\nname: a\ndescription: d\ntools: Read, Grap, Bash\n---\nbody\n")
    assert (problem.line, problem.column) == (4, 14)
    assert problem.message == "unknown tool 'Grap'"
    assert problem.suggestion == "did you mean 'Grep'?"


def test_an_unknown_tool_in_a_list_is_located_at_its_item() -> None:
    [problem] = problems_of("---\nname: a\ndescription: d\ntools:\n  - read\n  - deploy\n---\nb\n")
    assert (problem.line, problem.column, problem.message) == (6, 5, "unknown tool 'deploy'")


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("# Title\n\ntext\n", (1, 1), "no YAML frontmatter; line 1 is '# Title'"),
        ("", (1, 1), "no YAML frontmatter"),
        ("---\nname: a\n", (1, 1), "the frontmatter is never closed"),
        ("---\nname: a\ndescription: [unclosed\n---\nb\n", (3, 23), "malformed YAML"),
        ("---\nname: a\n  description: d\n---\nb\n", (3, 14), "malformed YAML"),
        ("---\n- a\n---\nb\n", (2, 1), "the frontmatter is not a mapping"),
        ("---\ndescription: d\n---\nb\n", (1, 1), "missing required field 'name'"),
        ("---\nname: a\n---\nb\n", (1, 1), "missing required field 'description'"),
        ("---\nname: a\ndescription: d\n---\n\n", (4, 1), "the agent has no instructions"),
        ("---\nname: Backend Dev\ndescription: d\n---\nb\n", (2, 7), "invalid agent name"),
        ("---\nname: a\ndescription: 3\n---\nb\n", (3, 14), "'description' must be non-empty"),
        ("---\nname: a\ndescription: d\ntools: 5\n---\nb\n", (4, 8), "'tools' must be a list"),
    ],
)
def test_each_mistake_is_reported_where_it_is(
    text: str, where: tuple[int, int], message: str
) -> None:
    [problem] = problems_of(text)
    assert problem.file == "agent.md"
    assert (problem.line, problem.column) == where
    assert problem.message.startswith(message)


def test_every_problem_is_reported_at_once() -> None:
    problems = problems_of("---\nname: A B\ndescripton: d\ntools: Reed, Wirte\n---\n")
    assert [(p.line, p.message) for p in problems] == [
        (1, "missing required field 'description'"),
        (2, "invalid agent name 'A B'"),
        (3, "unknown field 'descripton'"),
        (4, "unknown tool 'Reed'"),
        (4, "unknown tool 'Wirte'"),
        (5, "the agent has no instructions"),
    ]
    assert problems[2].suggestion == "did you mean 'description'?"


def test_other_frontmatter_keys_are_kept() -> None:
    definition = parse_definition("---\nname: a\ndescription: d\ncolor: blue\n---\nb\n")
    assert definition.extra == {"color": "blue"}


def test_the_error_message_lists_located_problems() -> None:
    with pytest.raises(DefinitionError, match=r"agent\.md:1:1: missing required field 'name'"):
        parse_definition("---\ndescription: d\n---\nb\n", "agent.md")


def test_claude_code_style_frontmatter_with_a_tools_list_is_valid() -> None:
    definition = load_definition(DEFINITIONS / "01_claude_style.md")
    assert definition.name == "api-reviewer"
    assert definition.tools == ("read", "grep", "glob", "review")
    assert definition.model is None  # "inherit" means the configured model
    assert definition.instructions.startswith("Read the service top down")


def test_non_ascii_text_is_kept_as_written() -> None:
    definition = load_definition(DEFINITIONS / "06_non_ascii.md")
    assert definition.description == "Prüft Fehlermeldungen — «des messages claires», 明確なエラー."
    assert definition.instructions.endswith("Ñandú, Ærø, Σίσυφος, 日本語.")


@pytest.mark.parametrize(
    ("file", "located"),
    [
        ("02_no_frontmatter.txt", [(1, 1, "no YAML frontmatter")]),
        ("03_missing_description.md", [(1, 1, "missing required field 'description'")]),
        (
            "04_unknown_tools.md",
            [(4, 14, "unknown tool 'Deploy'"), (4, 28, "unknown tool 'Publish'")],
        ),
        ("05_invalid_name.md", [(2, 7, "invalid agent name 'Load Tester'")]),
    ],
)
def test_each_broken_file_gets_its_located_errors(
    file: str, located: list[tuple[int, int, str]]
) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_definition(DEFINITIONS / file)
    problems = caught.value.problems
    assert {p.file for p in problems} == {str(DEFINITIONS / file)}
    assert len(problems) == len(located)
    for problem, (line, column, message) in zip(problems, located, strict=True):
        assert (problem.line, problem.column) == (line, column)
        assert problem.message.startswith(message)


def test_a_folder_is_checked_file_by_file_and_other_files_are_left_out() -> None:
    checks = check_definitions(DEFINITIONS)
    assert [c.path.name[:2] for c in checks] == ["01", "02", "03", "04", "05", "06"]
    assert [c.ok for c in checks] == [True, False, False, False, False, True]


def test_a_missing_path_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="no such file or folder"):
        check_definitions(tmp_path / "absent.md")


def test_the_builtin_backend_developer_is_valid_and_uses_the_domain_tools() -> None:
    [definition] = builtin_definitions()
    assert definition.name == "backend-developer"
    assert definition.tools is not None
    assert {"design", "build", "verify", "review", "edit"} <= set(definition.tools)


def _six_word_runs(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i : i + 6]) for i in range(len(words) - 5)}


def _digest(run: str) -> str:
    return hashlib.sha256(run.encode("utf-8")).hexdigest()[:10]


PRIOR_PHRASES = frozenset(
    line
    for line in (DEFINITIONS / "prior_phrases.sha256").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
)


def _borrowed(text: str, digests: frozenset[str]) -> list[str]:
    return sorted(run for run in _six_word_runs(text) if _digest(run) in digests)


def test_the_builtin_definition_is_written_in_our_own_words() -> None:
    assert len(PRIOR_PHRASES) > 1_000  # the digest file is there and read
    shared = _borrowed(builtin_definitions()[0].instructions, PRIOR_PHRASES)
    assert not shared, f"phrases taken from the prompts the product was described by: {shared[:3]}"


def test_the_phrase_check_notices_a_borrowed_run_of_six_words() -> None:
    digests = frozenset({_digest("keep one table per concept name")})
    text = "Rule: Keep one table per concept, name it well."
    assert _borrowed(text, digests) == ["keep one table per concept name"]
    assert _borrowed("keep one table for each concept", digests) == []


def test_find_definition_takes_a_path_or_a_builtin_name(tmp_path: Path) -> None:
    path = tmp_path / "mine.md"
    path.write_text("---\nname: mine\ndescription: d\n---\nb\n")
    assert find_definition(str(path)).name == "mine"
    assert find_definition("backend-developer").path is None
    with pytest.raises(DefinitionError, match="no built-in agent of that name"):
        find_definition("frontend-developer")
