"""Small questions asked of AST nodes, shared by the analyses and the rules."""

from __future__ import annotations

import ast
from collections.abc import Iterator

__all__ = [
    "FunctionNode",
    "anchor",
    "argument",
    "call_name",
    "const_str",
    "dotted",
    "is_const",
    "is_false",
    "is_true",
    "keyword",
    "loaded_names",
    "root_name",
    "string_fragments",
]

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def root_name(node: ast.AST) -> str | None:
    """The name at the bottom of an attribute, subscript or call chain."""
    while True:
        if isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Await):
            node = node.value
        else:
            break
    return node.id if isinstance(node, ast.Name) else None


def call_name(call: ast.Call) -> str:
    """The last name of the called expression: ``execute`` for ``cur.execute(...)``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value passed as keyword ``name``, if any."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def argument(call: ast.Call, index: int, name: str) -> ast.expr | None:
    """The argument at ``index`` or passed as keyword ``name``."""
    if 0 <= index < len(call.args) and not any(
        isinstance(a, ast.Starred) for a in call.args[: index + 1]
    ):
        return call.args[index]
    return keyword(call, name)


def const_str(node: ast.AST | None) -> str | None:
    """The value of a str (or bytes, decoded) literal."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value
        if isinstance(node.value, bytes):
            return node.value.decode("latin-1")
    return None


def is_const(node: ast.AST | None) -> bool:
    """A literal, or a tuple/list/set of literals."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(is_const(e) for e in node.elts)
    return False


def is_true(node: ast.AST | None) -> bool:
    """The literal ``True``."""
    return isinstance(node, ast.Constant) and node.value is True


def is_false(node: ast.AST | None) -> bool:
    """The literal ``False`` (or ``0``/``None``, which switch checks off just the same)."""
    return isinstance(node, ast.Constant) and node.value in (False, None, 0)


def loaded_names(node: ast.AST) -> Iterator[str]:
    """Every name read inside ``node``."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            yield sub.id


def string_fragments(node: ast.AST) -> Iterator[str]:
    """The literal text pieces inside a string-building expression."""
    for sub in ast.walk(node):
        text = const_str(sub)
        if text is not None:
            yield text


def anchor(call: ast.Call, part: ast.expr | None) -> ast.AST:
    """Where a finding about ``call`` points: the call itself, or - when the call spans
    several lines and ``part`` (the offending argument) is written inline - the first
    run-time value inside ``part``, which is the line a reader would mark."""
    if part is None or call.end_lineno in (None, call.lineno) or isinstance(part, ast.Name):
        return call
    values: list[ast.expr] = []
    for node in ast.walk(part):
        if isinstance(node, ast.FormattedValue):
            values.append(node.value)
        elif isinstance(node, ast.BinOp):
            values.extend(
                side
                for side in (node.left, node.right)
                if not isinstance(side, ast.Constant | ast.JoinedStr | ast.BinOp)
            )
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
        ):
            values.extend(node.args)
    if not values:
        return part
    return min(values, key=lambda n: (n.lineno, n.col_offset))
