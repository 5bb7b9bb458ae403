"""Reads without bounds: queries whose every row is returned, and the inputs that page them."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from backend_agent.review._module import Module
from backend_agent.review._orm import chain, describe, sql_text, uses_database
from backend_agent.review._syntax import FunctionNode, const_str

__all__ = [
    "PAGE_WORDS",
    "flows_to_return",
    "paginated",
    "returned_names",
    "unbounded_functions",
    "unbounded_reads",
]

PAGE_WORDS = re.compile(
    r"^(page|page_?size|per_?page|limit|offset|skip|cursor|after|before|size|first|last|"
    r"max_?results|top|take|start|count|pagination|paginator|params)$",
    re.I,
)
_PAGE_CALLS = frozenset(
    {"limit", "offset", "paginate", "Paginator", "paginate_queryset", "get_page", "page",
     "slice", "fetchmany", "islice", "Page", "paginate_query", "LimitOffsetPage"}
)  # fmt: skip
_SQL_LIMIT = re.compile(r"\blimit\s+(\d+|%s|\?|:\w+|\$\d)", re.I)


def unbounded_functions(module: Module) -> dict[str, FunctionNode]:
    """Module-level functions, without paging inputs, that return every row of a query."""
    return module.memo(_unbounded_functions)


def _unbounded_functions(module: Module) -> dict[str, FunctionNode]:
    if not uses_database(module):
        return {}
    reading = {
        parent
        for name in ("all", "fetchall", "filter", "exclude", "order_by")
        for call in module.calls.get(name, ())
        for parent in module.ancestors(call)
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    return {
        name: func
        for name, func in module.top_functions.items()
        if func in reading
        and not paginated(func)
        and any(True for _ in unbounded_reads(module, func))
    }


def paginated(handler: FunctionNode) -> bool:
    args = handler.args
    for arg in [*args.args, *args.kwonlyargs]:
        if PAGE_WORDS.match(arg.arg):
            return True
    for node in ast.walk(handler):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _PAGE_CALLS:
                return True
            key = const_str(node.args[0]) if node.args else None
            if name in ("get", "getlist") and PAGE_WORDS.match(key or "-"):
                return True
        elif _is_slice(node) or _limits(node):
            return True
    return False


def _is_slice(node: ast.AST) -> bool:
    return isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice)


def _limits(node: ast.AST) -> bool:
    text = const_str(node)
    return text is not None and bool(_SQL_LIMIT.search(text))


def unbounded_reads(module: Module, handler: FunctionNode) -> Iterator[ast.Call]:
    returned = returned_names(handler)
    for node in ast.walk(handler):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        if name == "fetchall":
            executes = [
                c
                for c in ast.walk(handler)
                if isinstance(c, ast.Call)
                and isinstance(c.func, ast.Attribute)
                and c.func.attr == "execute"
            ]
            sql = " ".join(sql_text(module, c) for c in executes).lower()
            if "select" not in sql or re.search(r"\b(limit|count\s*\(|where\s+\w*id\s*=)", sql):
                continue
        elif name in ("all", "filter", "exclude", "order_by", "values", "values_list"):
            parent = module.parent(node)
            if isinstance(parent, ast.Attribute):
                continue
            query = describe(module, node, handler)
            if query is None or query.bounded:
                continue
            calls, _ = chain(node)
            if name != "all" and not any(n == "objects" for n in _attrs(node)):
                continue
            if any(n in ("get", "first", "count") for n, _ in calls):
                continue
        else:
            continue
        if flows_to_return(module, node, returned):
            yield node


def _attrs(node: ast.AST) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            yield sub.attr


def returned_names(handler: FunctionNode) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(handler):
        if isinstance(node, ast.Return) and node.value is not None:
            names.update(n.id for n in ast.walk(node.value) if isinstance(n, ast.Name))
    changed = True
    while changed:
        changed = False
        for node in ast.walk(handler):
            if isinstance(node, ast.Assign):
                targets = {
                    n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)
                }
                if targets & names:
                    new = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)} - names
                    if new:
                        names |= new
                        changed = True
    return names


def flows_to_return(module: Module, node: ast.Call, returned: set[str]) -> bool:
    for parent in module.ancestors(node):
        if isinstance(parent, ast.Return):
            return True
        if isinstance(parent, ast.Assign):
            return any(
                isinstance(n, ast.Name) and n.id in returned
                for t in parent.targets
                for n in ast.walk(t)
            )
        if isinstance(parent, ast.stmt):
            return False
    return False
