"""YAML text -> plain data plus the line and column of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from backend_agent.errors import Problem

__all__ = ["Location", "Path", "SourceMap", "parse_yaml"]

Path = tuple[str | int, ...]


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
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"invalid YAML: {exc.problem or exc}"
        return None, source, [Problem(file, line, column, message)]
    if node is None:
        return None, source, [Problem(file, 1, 1, "the spec is empty", "a mapping with 'name'")]
    problems: list[Problem] = []
    data = _build(node, (), source, problems)
    return data, source, problems


def _build(node: yaml.Node, path: Path, source: SourceMap, problems: list[Problem]) -> Any:
    source.values[path] = _loc(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _key(key_node)
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
    return _scalar(node)


def _key(node: yaml.Node) -> Any:
    # YAML 1.1 reads a bare on/off/yes/no as a boolean; as a key it is meant as a word
    # (a job's ``on: user.registered``).
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
        return node.value
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    return yaml.SafeLoader("").construct_object(node, deep=True)
