"""Items of dict, list and tuple literals read back under constant keys.

``opts = {"target": request.form["target"], "tool": "pg_dump"}`` then
``opts["tool"]``: the value read is the literal stored under ``"tool"``, not the
request data stored under another key. A dict qualifies when it is bound once (in
the function, or at module level and read anywhere) to a literal whose keys are
all constant strings, and nothing stores into it afterwards (``d[k] = ...``,
``d.update(...)``, ``d.setdefault(...)``, ``d |= ...``, ``l.append(...)``). A list
or tuple literal is read the same way by a constant index (``argv[1]``,
``argv[-1]``). A dynamic key reads any of the values.
"""

from __future__ import annotations

import ast

from backend_agent.review._module import Module
from backend_agent.review._syntax import FunctionNode, const_str

__all__ = ["stored_values"]

_MUTATORS = frozenset(
    {"update", "setdefault", "__setitem__", "clear", "append", "insert", "extend", "reverse",
     "sort", "pop", "remove"}
)  # fmt: skip


def stored_values(module: Module, expr: ast.expr) -> list[ast.expr] | None:
    """The literal values ``expr`` (``d["k"]``, ``d.get("k")``, ``d[x]``) can read, or
    None when ``expr`` is no such read of a dict literal we can follow."""
    container, key, default = _read(expr)
    if container is None:
        return None
    scope = module.function_of(expr)
    literal = _literal(module, container.id, scope)
    if literal is None:
        return None
    items: dict[str | int | None, ast.expr]
    if isinstance(literal, ast.Dict):
        items = {const_str(k): v for k, v in zip(literal.keys, literal.values, strict=True)}
    elif default is not None:
        return None  # ``.get`` of a list is no list read
    else:
        size = len(literal.elts)
        items = dict(enumerate(literal.elts))
        items.update({i - size: v for i, v in enumerate(literal.elts)})  # ``args[-1]``
    extra = [default] if default is not None else []
    every = list(dict.fromkeys([*items.values(), *extra]))
    if key is None:
        return every
    name = const_str(key) if isinstance(literal, ast.Dict) else _index(key)
    if name is None:
        return every
    return [items[name]] if name in items else extra


def _index(key: ast.expr) -> int | None:
    if isinstance(key, ast.Constant) and type(key.value) is int:
        return key.value
    if (
        isinstance(key, ast.UnaryOp)
        and isinstance(key.op, ast.USub)
        and isinstance(key.operand, ast.Constant)
        and type(key.operand.value) is int
    ):
        return -key.operand.value
    return None


def _read(expr: ast.expr) -> tuple[ast.Name | None, ast.expr | None, ast.expr | None]:
    if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
        return expr.value, expr.slice, None
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "get"
        and isinstance(expr.func.value, ast.Name)
        and 1 <= len(expr.args) <= 2
        and not expr.keywords
    ):
        default = expr.args[1] if len(expr.args) == 2 else ast.Constant(None)
        return expr.func.value, expr.args[0], default
    return None, None, None


def _literal(
    module: Module, name: str, scope: FunctionNode | None
) -> ast.Dict | ast.List | ast.Tuple | None:
    key = ("dict-literal", name, scope)
    cache: dict[object, ast.Dict | ast.List | ast.Tuple | None] = module.memo(_cache)
    if key in cache:
        return cache[key]
    found: ast.Dict | ast.List | ast.Tuple | None = None
    local = _bindings(scope, name) if scope is not None else []
    params = {a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg)} if scope else set()
    if local:
        if len(local) == 1 and not _mutated(scope, name):
            found = _plain_dict(local[0])
    elif name not in params:
        value = _plain_dict(module.top_values.get(name))
        # The walks of the whole module only for a name bound to a dict literal there.
        if value is not None and len(_bindings(module.tree, name)) == 1:
            found = None if _mutated(module.tree, name) else value
    cache[key] = found
    return found


def _cache(module: Module) -> dict[object, ast.Dict | ast.List | ast.Tuple | None]:
    return {}


def _bindings(root: ast.AST | None, name: str) -> list[ast.expr]:
    found: list[ast.expr] = []
    if root is None:
        return found
    for node in ast.walk(root):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    found.append(node.value)
                elif any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target)):
                    found.append(ast.Constant(None))  # unpacked: unknown value
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr | ast.For):
            target = node.target
            if isinstance(target, ast.Name) and target.id == name:
                value = getattr(node, "value", None)
                found.append(
                    value
                    if value is not None and not isinstance(node, ast.For | ast.AugAssign)
                    else ast.Constant(None)
                )
    return found


def _mutated(root: ast.AST | None, name: str) -> bool:
    if root is None:
        return True
    for node in ast.walk(root):
        if (
            isinstance(node, ast.Subscript)
            and not isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        ):
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _MUTATORS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            return True
    return False


def _plain_dict(value: ast.expr | None) -> ast.Dict | ast.List | ast.Tuple | None:
    """A dict literal with constant string keys, or a list/tuple literal without ``*``."""
    if isinstance(value, ast.List | ast.Tuple):
        return None if any(isinstance(e, ast.Starred) for e in value.elts) else value
    if not isinstance(value, ast.Dict):
        return None
    if any(k is None or const_str(k) is None for k in value.keys):
        return None
    return value
