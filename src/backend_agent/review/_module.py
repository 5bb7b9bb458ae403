"""One parsed source file, indexed once so that every rule can ask cheap questions."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar, cast

from backend_agent.review._folding import prune_dead_branches
from backend_agent.review._syntax import FunctionNode, dotted

__all__ = ["Module", "child_fields", "parse_noqa"]

_T = TypeVar("_T")

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.I)
# Fields that never hold a node worth indexing: names, flags and the shared singleton
# nodes of contexts and operators (``ast.Load()`` is one object for the whole tree).
_LEAF_FIELDS = frozenset(
    {"ctx", "op", "ops", "id", "arg", "attr", "name", "module", "level", "kind",
     "type_comment", "is_async", "conversion"}
)  # fmt: skip
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(kind: type) -> tuple[str, ...]:
    """The fields of an ``ast`` node class that may hold nodes worth visiting."""
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(
            f for f in getattr(kind, "_fields", ()) if f not in _LEAF_FIELDS
        )
    return fields


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def parse_noqa(source: str) -> dict[int, frozenset[str] | None]:
    """Line -> the codes its ``# noqa`` comment names, or None for a bare ``# noqa``."""
    result: dict[int, frozenset[str] | None] = {}
    if "noqa" not in source.lower():
        return result
    for number, line in enumerate(source.splitlines(), start=1):
        if "noqa" not in line.lower():
            continue
        match = _NOQA.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        result[number] = (
            frozenset(c.upper() for c in re.split(r"[\s,]+", codes) if c) if codes else None
        )
    return result


class Module:
    """A source file: its tree, imports, and nodes grouped the way rules look them up."""

    def __init__(self, *, path: str, name: str, source: str, tree: ast.Module) -> None:
        self.path = path
        self.name = name
        self.source = source
        self.tree = tree
        self.parents: dict[ast.AST, ast.AST] = {}
        self.imports: dict[str, str] = {}
        self.calls: dict[str, list[ast.Call]] = defaultdict(list)
        self.attributes: dict[str, list[ast.Attribute]] = defaultdict(list)
        self.functions: list[FunctionNode] = []
        self.classes: list[ast.ClassDef] = []
        self.assigns: list[ast.Assign | ast.AnnAssign] = []
        self.handlers: list[ast.ExceptHandler] = []
        self.dicts: list[ast.Dict] = []
        self.strings: dict[str, list[ast.Constant]] = defaultdict(list)
        self.numbers: dict[int, list[ast.Constant]] = defaultdict(list)
        self.loops: list[ast.For | ast.AsyncFor | ast.comprehension] = []
        self._memo: dict[Callable[[Module], Any], Any] = {}
        self._imported: dict[tuple[str, ...], bool] = {}
        self._index()

    def memo(self, factory: Callable[[Module], _T]) -> _T:
        """The analysis ``factory(self)``, computed once per module."""
        if factory not in self._memo:
            self._memo[factory] = factory(self)
        return cast("_T", self._memo[factory])

    def release(self) -> None:
        """Drop the memoised analyses (they point back at the module: a cycle)."""
        self._memo.clear()

    @classmethod
    def parse(cls, *, path: str, name: str, source: str) -> Module:
        """Parse ``source``; raises SyntaxError (or ValueError for NUL bytes)."""
        tree = ast.parse(source, filename=path)
        prune_dead_branches(tree, source)
        return cls(path=path, name=name, source=source, tree=tree)

    def _index(self) -> None:
        parents = self.parents
        calls = self.calls
        attributes = self.attributes
        stack: list[ast.AST] = [self.tree]
        push = stack.append
        node_type = ast.AST
        child_fields = _CHILD_FIELDS
        while stack:
            node = stack.pop()
            kind = type(node)
            fields = child_fields.get(kind)
            if fields is None:
                fields = child_fields[kind] = tuple(
                    f for f in kind._fields if f not in _LEAF_FIELDS
                )
            # An inlined ast.iter_child_nodes: the generator version costs a third of the run.
            for field in fields:
                value = getattr(node, field, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, node_type):
                            parents[item] = node
                            push(item)
                elif isinstance(value, node_type):
                    parents[value] = node
                    push(value)
            if kind is ast.Call:
                call: ast.Call = node  # type: ignore[assignment]
                func = call.func
                if isinstance(func, ast.Attribute):
                    calls[func.attr].append(call)
                elif isinstance(func, ast.Name):
                    calls[func.id].append(call)
            elif kind is ast.Attribute:
                attributes[node.attr].append(node)  # type: ignore[attr-defined,arg-type]
            elif kind is ast.Assign or kind is ast.AnnAssign:
                self.assigns.append(node)  # type: ignore[arg-type]
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                self.functions.append(node)  # type: ignore[arg-type]
            elif kind is ast.ClassDef:
                self.classes.append(node)  # type: ignore[arg-type]
            elif kind is ast.For or kind is ast.AsyncFor or kind is ast.comprehension:
                self.loops.append(node)  # type: ignore[arg-type]
            elif kind is ast.ExceptHandler:
                self.handlers.append(node)  # type: ignore[arg-type]
            elif kind is ast.Dict:
                self.dicts.append(node)  # type: ignore[arg-type]
            elif kind is ast.Constant:
                value = node.value  # type: ignore[attr-defined]
                kind_of_value = type(value)
                if kind_of_value is str and len(value) <= 40:
                    self.strings[value.lower()].append(node)  # type: ignore[arg-type]
                elif kind_of_value is int and 400 <= value < 600:
                    self.numbers[value].append(node)  # type: ignore[arg-type]
            elif kind is ast.Import:
                for alias in node.names:  # type: ignore[attr-defined]
                    local = alias.asname or alias.name.partition(".")[0]
                    self.imports[local] = alias.name if alias.asname else local
            elif kind is ast.ImportFrom:
                self._import_from(node)  # type: ignore[arg-type]

    def _import_from(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            package = self.name.split(".")
            keep = len(package) - node.level
            prefix = ".".join(package[: max(keep, 0)])
            base = ".".join(p for p in (prefix, base) if p)
        for alias in node.names:
            self.imports[alias.asname or alias.name] = (
                f"{base}.{alias.name}" if base else alias.name
            )

    # -- names -------------------------------------------------------------

    def qualname(self, node: ast.AST) -> str | None:
        """The dotted name with its import resolved: ``sp.run`` -> ``subprocess.run``."""
        name = dotted(node)
        if name is None:
            return None
        head, dot, rest = name.partition(".")
        target = self.imports.get(head)
        if target is None:
            return name
        return f"{target}{dot}{rest}"

    def imports_from(self, *packages: str) -> bool:
        """Whether the module imports anything from one of ``packages``."""
        known = self._imported.get(packages)
        if known is None:
            known = any(
                target == p or target.startswith(p + ".")
                for target in self.imports.values()
                for p in packages
            )
            self._imported[packages] = known
        return known

    # -- structure ---------------------------------------------------------

    def parent(self, node: ast.AST) -> ast.AST | None:
        """The node that contains ``node``."""
        return self.parents.get(node)

    def ancestors(self, node: ast.AST) -> list[ast.AST]:
        """Containing nodes, innermost first, up to the module."""
        found: list[ast.AST] = []
        current = self.parents.get(node)
        while current is not None:
            found.append(current)
            current = self.parents.get(current)
        return found

    def function_of(self, node: ast.AST) -> FunctionNode | None:
        """The innermost function around ``node``."""
        current = self.parents.get(node)
        while current is not None:
            if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
                return current
            current = self.parents.get(current)
        return None

    def class_of(self, node: ast.AST) -> ast.ClassDef | None:
        """The class whose body directly holds ``node`` (a method or attribute)."""
        parent = self.parents.get(node)
        return parent if isinstance(parent, ast.ClassDef) else None

    def enclosing_loops(self, node: ast.AST) -> list[ast.For | ast.AsyncFor | ast.comprehension]:
        """Loops whose repeated part holds ``node``, innermost first, within its function."""
        found: list[ast.For | ast.AsyncFor | ast.comprehension] = []
        child = node
        current = self.parents.get(node)
        while current is not None and not isinstance(current, _SCOPES):
            if isinstance(current, ast.For | ast.AsyncFor):
                if child is not current.iter and child not in current.orelse:
                    found.append(current)
            elif isinstance(current, ast.comprehension):
                if child is not current.iter:
                    found.append(current)
            elif isinstance(current, _COMPREHENSIONS):
                generators = current.generators
                if isinstance(child, ast.comprehension):
                    found.extend(reversed(generators[: generators.index(child)]))
                else:
                    found.extend(reversed(generators))
            child = current
            current = self.parents.get(current)
        return found

    def enclosing_tries(self, node: ast.AST) -> list[ast.Try | ast.TryStar]:
        """Try statements whose guarded body holds ``node``, innermost first."""
        found: list[ast.Try | ast.TryStar] = []
        child = node
        current = self.parents.get(node)
        while current is not None and not isinstance(current, _SCOPES):
            if isinstance(current, ast.Try | ast.TryStar) and child in current.body:
                found.append(current)
            child = current
            current = self.parents.get(current)
        return found

    @cached_property
    def top_functions(self) -> dict[str, FunctionNode]:
        """Functions defined at module level, by name."""
        return {
            node.name: node
            for node in self.tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }

    @cached_property
    def top_values(self) -> dict[str, ast.expr]:
        """Module-level ``NAME = value`` assignments (the last one wins)."""
        values: dict[str, ast.expr] = {}
        for node in self.tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        values[target.id] = node.value
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.value is not None
            ):
                values[node.target.id] = node.value
        return values

    def method(self, cls: ast.ClassDef, name: str) -> FunctionNode | None:
        """The method ``name`` defined in ``cls``."""
        for node in cls.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                return node
        return None

    @cached_property
    def is_test(self) -> bool:
        """A test module (``tests/``, ``test_*.py``, ``*_test.py``, ``conftest.py``)."""
        parts = self.name.split(".")
        last = parts[-1] if parts else ""
        return (
            last.startswith("test_")
            or last.endswith("_test")
            or last == "conftest"
            or (len(parts) > 1 and parts[-2] in ("tests", "test"))
        )

    @cached_property
    def is_migration(self) -> bool:
        """A schema or data migration (Django ``migrations/``, Alembic ``versions/``).

        They run once, offline, over a table being reshaped: a query per row there
        is the usual way to write them, not an N+1 on a request path.
        """
        parts = self.name.split(".")
        if "migrations" in parts[:-1]:
            return True
        return len(parts) > 1 and parts[-2] == "versions" and self.imports_from("alembic")

    def char_column(self, line: int, byte_offset: int) -> int:
        """The 0-based character column of a UTF-8 ``byte_offset`` (what ``ast`` reports)."""
        text = self.line_text(line)
        if text.isascii():
            return byte_offset
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line."""
        lines = self._lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    @cached_property
    def _lines(self) -> list[str]:
        return self.source.splitlines()
