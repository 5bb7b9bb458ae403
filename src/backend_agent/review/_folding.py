"""Branches decided by constants are cut from the tree before any rule reads it.

``if False:``, ``if not True:`` and ``if DEBUG:`` where ``DEBUG`` is a module-level
name bound once to a literal and never rebound anywhere in the module: the branch
that cannot run is replaced by ``pass``, so a sink there is not reported and its
assignments do not feed the data flow of the live branch.
"""

from __future__ import annotations

import ast
import re

__all__ = ["prune_dead_branches"]

_LITERALS = (bool, int, str, type(None))


_LITERALS_TEXT = "False|True|None|0|1"


def _test_pattern(alternatives: str, loops: str) -> re.Pattern[str]:
    """``if X:`` / ``elif not X:`` / ``while X:`` statements and ``a if X else b``
    (``while True:`` is left out: a loop that always runs has nothing to cut)."""
    test = rf"(?:not\s+)?(?:{alternatives})"
    return re.compile(
        rf"^[ \t]*(?:el)?if\s+{test}\s*:|^[ \t]*while\s+(?:{loops})\s*:"
        rf"|\bif\s+{test}\s+else\b",
        re.M,
    )


_LITERAL_WORDS = ("if True", "if False", "if None", "if 0", "if 1", "if not True", "if not False",
                  "while False",
                  "while 0", "while None")  # fmt: skip
_LITERAL_TEST = _test_pattern(_LITERALS_TEXT, r"False|None|0|not\s+True")


def prune_dead_branches(tree: ast.Module, source: str) -> None:
    """Cut the dead side of every ``if`` (and ``x if c else y``) whose test is constant."""
    candidates = _candidates(tree)
    # Walking the tree costs a third of a review: do it only when the text has a test
    # that may fold (a literal, or a name bound to one at module level).
    literal = any(word in source for word in _LITERAL_WORDS) and _LITERAL_TEST.search(source)
    if not literal and not _names_tested(source, candidates):
        return
    constants = _module_constants(tree, candidates)
    for node in ast.walk(tree):
        if isinstance(node, ast.If | ast.While):
            value = _fold(node.test, constants)
            if value is False:
                node.body = [ast.copy_location(ast.Pass(), node.body[0])]
            elif value is True and isinstance(node, ast.If):
                node.orelse = []
        elif isinstance(node, ast.IfExp):
            value = _fold(node.test, constants)
            if value is not None:
                live = node.body if value else node.orelse
                node.body = node.orelse = live


def _names_tested(source: str, names: dict[str, object]) -> bool:
    names = {n: v for n, v in names.items() if f"if {n}" in source or f"if not {n}" in source}
    if not names:
        return False
    alternatives = "|".join(re.escape(n) for n in names)
    return _test_pattern(alternatives, rf"(?:not\s+)?(?:{alternatives})").search(source) is not None


def _candidates(tree: ast.Module) -> dict[str, object]:
    bound: dict[str, object] = {}
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, _LITERALS)
        ):
            bound[stmt.targets[0].id] = stmt.value.value
    return bound


def _module_constants(tree: ast.Module, bound: dict[str, object]) -> dict[str, object]:
    if not bound:
        return bound
    stores: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            stores[node.id] = stores.get(node.id, 0) + 1
        elif isinstance(node, ast.Global | ast.Nonlocal):
            for name in node.names:
                stores[name] = stores.get(name, 0) + 2
        elif isinstance(node, ast.alias):
            local = node.asname or node.name.partition(".")[0]
            stores[local] = stores.get(local, 0) + 2
    return {name: value for name, value in bound.items() if stores.get(name) == 1}


def _fold(test: ast.expr, constants: dict[str, object]) -> bool | None:
    if isinstance(test, ast.Constant) and isinstance(test.value, _LITERALS):
        return bool(test.value)
    if isinstance(test, ast.Name) and test.id in constants:
        return bool(constants[test.id])
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _fold(test.operand, constants)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [_fold(v, constants) for v in test.values]
        if isinstance(test.op, ast.And):
            if False in values:
                return False
            return True if all(v is True for v in values) else None
        if True in values:
            return True
        return False if all(v is False for v in values) else None
    return None
