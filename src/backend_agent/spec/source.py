"""YAML text -> plain data plus the line and column of every key and value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from backend_agent.errors import Problem

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_SPEC_BYTES",
    "Location",
    "Path",
    "SourceMap",
    "parse_yaml",
]

Path = tuple[str | int, ...]
# Bounds on what one spec may ask of the loader, so a hostile or runaway file is refused
# in milliseconds instead of holding the process for minutes: its size, the number of
# values once every alias is expanded (a "billion laughs" file is a few lines that
# expand to billions), and how deeply values nest.
MAX_SPEC_BYTES = 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64
# libyaml's composer, when PyYAML has it, is ten times faster on a large spec.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Location:
    """A 1-based line and column."""

    line: int
    column: int


@dataclass
class SourceMap:
    """Where each value (and each mapping key) stands in the file."""

    file: str
    values: dict[Path, Location] = field(default_factory=dict)
    keys: dict[Path, Location] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> Location:
        """The closest known location for ``path``: itself, else its nearest ancestor."""
        probe = tuple(path)
        while True:
            if key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return Location(1, 1)
            probe = probe[:-1]

    def problem(
        self,
        path: Path,
        message: str,
        *,
        expected: str = "",
        suggestion: str = "",
        key: bool = False,
    ) -> Problem:
        """A Problem located at ``path``."""
        where = self.locate(path, key=key)
        return Problem(self.file, where.line, where.column, message, expected, suggestion)


def _loc(node: yaml.Node) -> Location:
    return Location(node.start_mark.line + 1, node.start_mark.column + 1)


def parse_yaml(text: str, file: str) -> tuple[Any, SourceMap, list[Problem]]:
    """Parse YAML into plain data, recording positions; syntax errors become Problems."""
    source = SourceMap(file)
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_SPEC_BYTES:
        message = f"the spec is {size} bytes, more than the limit of {MAX_SPEC_BYTES} (1 MiB)"
        return None, source, [Problem(file, 1, 1, message, suggestion="split or trim the spec")]
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"invalid YAML: {exc.problem or exc}"
        return None, source, [Problem(file, line, column, message)]
    except RecursionError:
        message = f"values nest more than {MAX_DEPTH} levels deep"
        return None, source, [Problem(file, 1, 1, message)]
    if node is None:
        return None, source, [Problem(file, 1, 1, "the spec is empty", "a mapping with 'name'")]
    problems: list[Problem] = []
    limit = _expansion_problem(node, file)
    if limit is not None:
        return None, source, [limit]
    data = _build(node, (), source, problems)
    return data, source, problems


def _build(node: yaml.Node, path: Path, source: SourceMap, problems: list[Problem]) -> Any:
    source.values[path] = _loc(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _key(key_node, source, problems)
            child = (*path, str(key))
            if key in result:
                where = _loc(key_node)
                problems.append(
                    Problem(source.file, where.line, where.column, f"duplicate key '{key}'")
                )
                continue
            source.keys[child] = _loc(key_node)
            result[key] = _build(value_node, child, source, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), source, problems) for i, item in enumerate(node.value)]
    return _scalar(node, source, problems)


def _key(node: yaml.Node, source: SourceMap, problems: list[Problem]) -> Any:
    # YAML 1.1 reads a bare on/off/yes/no as a boolean; as a key it is meant as a word
    # (a job's ``on: user.registered``).
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
        return node.value
    if not isinstance(node, yaml.ScalarNode):
        # A list or mapping as a key is never meaningful in a spec (and is unhashable).
        where = _loc(node)
        problems.append(Problem(source.file, where.line, where.column, "a key must be a word"))
        return f"<{where.line}:{where.column}>"
    return _scalar(node, source, problems)


def _expansion_problem(root: yaml.Node, file: str) -> Problem | None:
    """A problem if the node graph, with its aliases expanded, is too big, deep or cyclic.

    Aliases share nodes, so sizes are counted once per node (memoised) and the
    expanded total is known without building it.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        where = _loc(node)
        if key in open_nodes:
            raise _Refusal(Problem(file, where.line, where.column, "an alias refers to itself"))
        if depth > MAX_DEPTH:
            message = f"values nest more than {MAX_DEPTH} levels deep"
            raise _Refusal(Problem(file, where.line, where.column, message))
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                total += size(key_node, depth + 1) + size(value_node, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(item, depth + 1) for item in node.value)
        if total > MAX_NODES:
            message = (
                f"the spec expands to more than {MAX_NODES} values once its aliases are "
                "expanded (the limit)"
            )
            raise _Refusal(
                Problem(file, where.line, where.column, message, suggestion="use fewer aliases")
            )
        open_nodes.discard(key)
        sizes[key] = total
        return total

    try:
        size(root, 0)
    except _Refusal as refusal:
        return refusal.problem
    return None


class _Refusal(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _scalar(node: yaml.Node, source: SourceMap, problems: list[Problem]) -> Any:
    try:
        value = yaml.SafeLoader("").construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError) as exc:
        # A value YAML recognises by its shape but cannot build, such as the date 2024-13-45.
        where = _loc(node)
        problems.append(
            Problem(source.file, where.line, where.column, f"invalid value {node.value!r}: {exc}")
        )
        return node.value
    if isinstance(value, str) and _SURROGATE.search(value):
        # "\ud83d" escapes one half of a UTF-16 pair: no UTF-8 file can hold it.
        where = _loc(node)
        message = "the text holds a lone UTF-16 surrogate (an escape such as \\ud83d)"
        problems.append(
            Problem(
                source.file,
                where.line,
                where.column,
                message,
                suggestion="write the character itself or its \\U0001xxxx escape",
            )
        )
        return _SURROGATE.sub("\ufffd", value)
    return value
