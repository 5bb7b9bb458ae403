"""Straight-line rebinding: which assignment of a local name reaches a statement.

Taint follows names flow-insensitively (a name that is ever given request data is
tainted everywhere in the function). Where a name is bound only by plain
``name = value`` statements at the top level of the function body, the value it
holds at a later statement is the one of the last such assignment before it, so
``x = int(x)`` cleans ``x`` for what follows. Names bound any other way (in a
branch or loop, by ``+=``, ``for``, ``with``, ``:=``, unpacking, ``global`` or
``nonlocal``) keep the flow-insensitive answer.
"""

from __future__ import annotations

import ast

from backend_agent.review._syntax import FunctionNode

__all__ = ["StraightLine"]


class StraightLine:
    """The top-level assignments of one function, by the name they bind."""

    def __init__(self, scope: FunctionNode) -> None:
        self.scope = scope
        self._top = {id(stmt): stmt for stmt in scope.body}
        plain: dict[str, list[ast.Assign | ast.AnnAssign]] = {}
        plain_targets: set[int] = set()
        for stmt in scope.body:
            target = _plain_target(stmt)
            if target is not None and isinstance(stmt, ast.Assign | ast.AnnAssign):
                plain.setdefault(target.id, []).append(stmt)
                plain_targets.add(id(target))
        mixed: set[str] = set()
        for node in ast.walk(scope):
            if isinstance(node, ast.Global | ast.Nonlocal):
                mixed.update(node.names)
            elif (
                isinstance(node, ast.Name)
                and isinstance(node.ctx, ast.Store | ast.Del)
                and id(node) not in plain_targets
            ):
                mixed.add(node.id)
        self.assignments = {n: a for n, a in plain.items() if n not in mixed}

    def last_before(
        self, name: str, node: ast.AST, parents: dict[ast.AST, ast.AST]
    ) -> ast.Assign | ast.AnnAssign | None:
        """The last top-level assignment of ``name`` before the top-level statement
        that holds ``node``; ``None`` when there is none or ``name`` is not plain."""
        assigns = self.assignments.get(name)
        top = self.top_statement(node, parents)
        if not assigns or top is None:
            return None
        before = [a for a in assigns if a.lineno < top.lineno]
        return before[-1] if before else None

    def top_statement(self, node: ast.AST, parents: dict[ast.AST, ast.AST]) -> ast.stmt | None:
        """The statement of the function body that holds ``node`` (``None`` when it sits
        in a nested function or outside the function)."""
        current: ast.AST | None = node
        while current is not None:
            if id(current) in self._top:
                return self._top[id(current)]
            nested = isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if nested and current is not self.scope:
                return None
            current = parents.get(current)
        return None


def _plain_target(stmt: ast.AST) -> ast.Name | None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        target = stmt.target
    else:
        return None
    return target if isinstance(target, ast.Name) else None
