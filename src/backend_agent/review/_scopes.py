"""Where each local name of a function (or of the module) gets its value."""

from __future__ import annotations

import ast

from backend_agent.review._module import Module, child_fields
from backend_agent.review._syntax import FunctionNode

__all__ = ["Binding", "Scopes"]

Binding = tuple[int, str, ast.expr]
"""(line, how, value): how is ``=``, ``+=``, ``for``, ``opaque``, ``guard`` or ``param``."""

_GUARD_CALLS = frozenset({"isidentifier", "isalnum", "isdigit", "isdecimal", "fullmatch", "match"})


class Scopes:
    """Bindings of every scope of one module, computed on first use."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self._cache: dict[ast.AST, dict[str, list[Binding]]] = {}

    def bindings(self, scope: FunctionNode | None) -> dict[str, list[Binding]]:
        """Name -> (line, how, value) for each binding in ``scope``; how is =, +=, for, in."""
        key: ast.AST = scope if scope is not None else self.module.tree
        found = self._cache.get(key)
        if found is not None:
            return found
        found = {}
        body: list[ast.stmt] = scope.body if scope is not None else self.module.tree.body
        nodes = _walk_scope(body)
        for node in nodes:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind(found, target, node.value, node.lineno, "=")
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                self._bind(found, node.target, node.value, node.lineno, "=")
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                found.setdefault(node.target.id, []).append((node.lineno, "+=", node.value))
            elif isinstance(node, ast.For | ast.AsyncFor):
                self._bind(found, node.target, node.iter, node.lineno, "for")
            elif isinstance(node, ast.NamedExpr):
                self._bind(found, node.target, node.value, node.lineno, "=")
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                self._bind(found, node.optional_vars, node.context_expr, 0, "opaque")
            elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Name):
                if any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
                    found.setdefault(node.left.id, []).append((0, "guard", node))
            elif isinstance(node, ast.Call) and _guard_call(node):
                func = node.func
                subjects = [*node.args[-1:], func.value] if isinstance(func, ast.Attribute) else []
                for subject in subjects:
                    if isinstance(subject, ast.Name):
                        found.setdefault(subject.id, []).append((0, "guard", node))
        if scope is not None:
            args = scope.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                found.setdefault(arg.arg, []).append((0, "param", arg.annotation or arg))  # type: ignore[arg-type]
        self._cache[key] = found
        return found

    @staticmethod
    def _bind(
        found: dict[str, list[Binding]],
        target: ast.expr,
        value: ast.expr,
        line: int,
        how: str,
    ) -> None:
        if isinstance(target, ast.Name):
            found.setdefault(target.id, []).append((line, how, value))
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                Scopes._bind(found, element, value, line, "opaque" if how == "=" else how)


_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _walk_scope(body: list[ast.stmt]) -> list[ast.AST]:
    """Every node of ``body`` except those inside nested functions and classes."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(reversed(body))
    node_type = ast.AST
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, _NESTED):
            continue
        # ast.iter_child_nodes, inlined and without the context/operator singletons.
        for field in child_fields(type(node)):
            value = getattr(node, field, None)
            if type(value) is list:
                stack.extend(item for item in value if isinstance(item, node_type))
            elif isinstance(value, node_type):
                stack.append(value)
    return found


def _guard_call(node: ast.Call) -> bool:
    func = node.func
    return isinstance(func, ast.Attribute) and func.attr in _GUARD_CALLS
