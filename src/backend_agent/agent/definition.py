"""Agent definitions: markdown files with YAML frontmatter, in the Claude Code format.

::

    ---
    name: backend-developer          # required: lowercase words joined by hyphens
    description: When to use it.     # required
    tools: Read, Edit, Bash, build   # optional: comma list or YAML list; absent = all tools
    model: gpt-4o-mini               # optional: absent or "inherit" = the configured model
    ---
    The instructions (the system prompt), in markdown.

Every problem is reported at once, each located (file:line:column).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from backend_agent.agent.errors import DefinitionError
from backend_agent.agent.tools import REGISTRY, Toolbox
from backend_agent.errors import Problem

__all__ = [
    "AgentDefinition",
    "DefinitionCheck",
    "builtin_definitions",
    "check_definitions",
    "definition_files",
    "find_definition",
    "load_definition",
    "parse_definition",
]

FIELDS = ("name", "description", "tools", "model")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_SUFFIXES = (".md", ".markdown", ".txt")


@dataclass(frozen=True)
class AgentDefinition:
    """A validated agent: who it is, what it may use, and its instructions."""

    name: str
    description: str
    instructions: str
    tools: tuple[str, ...] | None = None  # our tool names; None means every tool
    model: str | None = None
    path: Path | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # other frontmatter keys, kept

    def toolbox(self, toolbox: Toolbox = REGISTRY) -> Toolbox:
        """The tools this agent may call."""
        return toolbox if self.tools is None else toolbox.select(self.tools)


@dataclass(frozen=True)
class DefinitionCheck:
    """The outcome of checking one file: a definition, or the problems that prevent one."""

    path: Path
    definition: AgentDefinition | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the file is a valid agent definition."""
        return self.definition is not None


def parse_definition(
    text: str, file: str = "<text>", *, toolbox: Toolbox = REGISTRY
) -> AgentDefinition:
    """Parse and validate definition text; raise ``DefinitionError`` with every problem."""
    lines = text.removeprefix("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise DefinitionError([_no_frontmatter(file, lines)])
    close = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
    if close is None:
        raise DefinitionError(
            [
                Problem(
                    file, 1, 1, "the frontmatter is never closed", "a line '---' after its fields"
                )
            ]
        )
    front, problems = _frontmatter("\n".join(lines[1:close]), file)
    if problems:  # without fields, every other check would only add noise
        raise DefinitionError(problems)
    instructions = "\n".join(lines[close + 1 :]).strip()
    if not instructions:
        problems.append(
            Problem(file, close + 1, 1, "the agent has no instructions", "markdown after the '---'")
        )
    for key in FIELDS[:2]:
        if key not in front.values:
            problems.append(_missing(file, key))
    name = front.string("name", problems)
    description = front.string("description", problems)
    if name and not _NAME.match(name):
        line, column = front.where("name")
        problems.append(
            Problem(
                file,
                line,
                column,
                f"invalid agent name '{name}'",
                "lowercase letters and digits joined by hyphens, e.g. backend-developer",
            )
        )
    tools = _tools(front, toolbox, problems)
    model = front.string("model", problems) if "model" in front.values else None
    problems += _near_misses(front)
    if problems:
        raise DefinitionError(problems)
    return AgentDefinition(
        name=name or "",
        description=description or "",
        instructions=instructions,
        tools=tools,
        model=None if model in (None, "inherit") else model,
        path=None if file.startswith("<") else Path(file),
        extra={k: v for k, v in front.values.items() if k not in FIELDS},
    )


def load_definition(path: Path, *, toolbox: Toolbox = REGISTRY) -> AgentDefinition:
    """Read and validate the definition file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([Problem(str(path), 1, 1, f"cannot read the file: {exc}")]) from None
    return parse_definition(text, str(path), toolbox=toolbox)


def definition_files(path: Path) -> list[Path]:
    """``path`` itself, or the definition files (.md, .markdown, .txt) in the folder, sorted."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix in _SUFFIXES)
    if not path.exists():
        raise DefinitionError([Problem(str(path), 1, 1, "no such file or folder")])
    return [path]


def check_definitions(path: Path, *, toolbox: Toolbox = REGISTRY) -> list[DefinitionCheck]:
    """Check one file, or every definition file in a folder."""
    checks = []
    for file in definition_files(path):
        try:
            checks.append(DefinitionCheck(file, load_definition(file, toolbox=toolbox)))
        except DefinitionError as exc:
            checks.append(DefinitionCheck(file, None, tuple(exc.problems)))
    return checks


def builtin_definitions() -> list[AgentDefinition]:
    """The definitions shipped with backend-agent."""
    folder = resources.files("backend_agent.agent") / "definitions"
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".md")), key=lambda e: e.name)
    return [parse_definition(e.read_text(encoding="utf-8"), f"<builtin:{e.name}>") for e in entries]


def find_definition(name_or_path: str, *, toolbox: Toolbox = REGISTRY) -> AgentDefinition:
    """A definition file by path, else a built-in definition by name."""
    path = Path(name_or_path)
    if path.is_file():
        return load_definition(path, toolbox=toolbox)
    for definition in builtin_definitions():
        if definition.name == name_or_path:
            return definition
    names = ", ".join(d.name for d in builtin_definitions())
    problem = Problem(
        name_or_path,
        1,
        1,
        "no such file, and no built-in agent of that name",
        f"a definition file or one of: {names}",
    )
    raise DefinitionError([problem])


@dataclass
class _Front:
    """Frontmatter values and where each key's value starts in the file."""

    file: str
    values: dict[str, Any] = field(default_factory=dict)
    nodes: dict[str, yaml.Node] = field(default_factory=dict)
    keys: dict[str, yaml.Node] = field(default_factory=dict)

    def where(self, key: str, node: yaml.Node | None = None) -> tuple[int, int]:
        mark = (node or self.nodes[key]).start_mark
        return mark.line + 2, mark.column + 1  # +2: 1-based, and the opening '---' line

    def string(self, key: str, problems: list[Problem]) -> str | None:
        value = self.values.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            line, column = self.where(key)
            problems.append(Problem(self.file, line, column, f"'{key}' must be non-empty text"))
            return None
        return value.strip()


def _frontmatter(text: str, file: str) -> tuple[_Front, list[Problem]]:
    front = _Front(file)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 2, mark.column + 1) if mark else (2, 1)
        return front, [Problem(file, line, column, f"malformed YAML: {exc.problem or exc}")]
    if not isinstance(node, yaml.MappingNode):
        what = "nothing" if node is None else "not a mapping"
        return front, [Problem(file, 2, 1, f"the frontmatter is {what}", "key: value lines")]
    for key_node, value_node in node.value:
        key = str(key_node.value)
        front.nodes[key] = value_node
        front.keys[key] = key_node
        front.values[key] = yaml.SafeLoader("").construct_object(value_node, deep=True)
    return front, []


def _tools(front: _Front, toolbox: Toolbox, problems: list[Problem]) -> tuple[str, ...] | None:
    if "tools" not in front.values or front.values["tools"] is None:
        return None
    node = front.nodes["tools"]
    entries: list[tuple[str, int, int]] = []  # (name, line, column)
    if isinstance(node, yaml.ScalarNode) and isinstance(front.values["tools"], str):
        entries = list(_split_names(front, node))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            line, column = front.where("tools", item)
            entries.append((str(item.value), line, column))
    else:
        line, column = front.where("tools")
        problems.append(
            Problem(
                front.file,
                line,
                column,
                "'tools' must be a list of tool names",
                "e.g. tools: Read, Edit, Bash",
            )
        )
        return None
    names: list[str] = []
    known = sorted({n for t in toolbox for n in (t.name, t.claude_name) if n})
    for name, line, column in entries:
        tool = toolbox.get(name)
        if tool is None:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else ""
            problems.append(
                Problem(
                    front.file,
                    line,
                    column,
                    f"unknown tool '{name}'",
                    f"one of {', '.join(known)}",
                    hint,
                )
            )
        elif tool.name not in names:
            names.append(tool.name)
    return tuple(names)


def _split_names(front: _Front, node: yaml.ScalarNode) -> Iterator[tuple[str, int, int]]:
    line, column = front.where("tools", node)
    same_line = node.start_mark.line == node.end_mark.line
    offset = 1 if node.style in ("'", '"') else 0
    for match in re.finditer(r"[^,\s]+", str(node.value)):
        yield match.group(), line, (column + offset + match.start()) if same_line else column


def _near_misses(front: _Front) -> list[Problem]:
    problems = []
    for key in front.values:
        close = difflib.get_close_matches(key, FIELDS, n=1, cutoff=0.75)
        if key not in FIELDS and close:
            line, column = front.where(key, front.keys[key])
            problems.append(
                Problem(
                    front.file,
                    line,
                    column,
                    f"unknown field '{key}'",
                    ", ".join(FIELDS),
                    f"did you mean '{close[0]}'?",
                )
            )
    return problems


def _missing(file: str, key: str) -> Problem:
    expected = "lowercase-hyphenated" if key == "name" else "one line saying when to use this agent"
    return Problem(file, 1, 1, f"missing required field '{key}'", expected)


def _no_frontmatter(file: str, lines: list[str]) -> Problem:
    first = lines[0].strip() if lines else ""
    found = f"; line 1 is '{first[:40]}'" if first else ""
    return Problem(
        file,
        1,
        1,
        f"no YAML frontmatter{found}",
        "a first line '---', the fields (name, description, tools, model), a closing '---', "
        "then the instructions",
    )
