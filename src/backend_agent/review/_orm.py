"""Database access as the ORMs and drivers spell it: which calls query, for what model.

Covers SQLAlchemy (``session.query``, ``select``, ``scalars``, ``get``),
Flask-SQLAlchemy (``Model.query``), Django (``Model.objects``, related managers),
DB-API cursors and asyncpg connections.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from backend_agent.review._module import Module
from backend_agent.review._strings import StringFlow
from backend_agent.review._syntax import FunctionNode, const_str, dotted

__all__ = [
    "Query",
    "chain",
    "describe",
    "is_query_call",
    "querying_functions",
    "sql_text",
    "uses_database",
]

_SESSIONS = re.compile(
    r"(^|[._])(session|sess|db|db_session|dbsession|conn|connection|cursor|cur|database|"
    r"async_session|tx|transaction|uow)$",
    re.I,
)
_EAGER_OPTIONS = frozenset(
    {"selectinload", "joinedload", "subqueryload", "contains_eager", "immediateload",
     "raiseload", "defaultload", "lazyload"}
)  # fmt: skip
_DJANGO_READS = frozenset(
    {"get", "filter", "exclude", "all", "first", "last", "count", "exists", "values",
     "values_list", "aggregate", "annotate", "latest", "earliest", "in_bulk", "order_by",
     "get_or_none", "select_related", "prefetch_related", "only", "defer", "distinct"}
)  # fmt: skip
_SQLA_READS = frozenset(
    {"query", "get", "execute", "scalars", "scalar", "scalar_one", "scalar_one_or_none",
     "first", "one", "one_or_none", "all", "get_one", "filter_by", "filter", "count"}
)  # fmt: skip
_DRIVER_READS = frozenset({"execute", "fetch", "fetchrow", "fetchval", "fetch_all", "fetch_one"})
_BOUNDS = frozenset(
    {"limit", "offset", "paginate", "slice", "first", "one", "one_or_none", "scalar",
     "scalar_one", "scalar_one_or_none", "get", "count", "exists", "fetchone", "fetchmany",
     "fetchrow", "fetchval", "aggregate", "latest", "earliest", "get_or_404", "first_or_404",
     "one_or_404", "last", "fetch_one", "fetch_val"}
)  # fmt: skip


@dataclass(frozen=True)
class Query:
    """What a query expression reads: its model, relations loaded eagerly, and bounds."""

    model: str | None
    eager: frozenset[str]
    bounded: bool


def querying_functions(module: Module) -> dict[str, FunctionNode]:
    """Module-level functions whose body runs a read query, by name."""
    if not uses_database(module):
        return {}
    return module.memo(_querying_functions)


def _querying_functions(module: Module) -> dict[str, FunctionNode]:
    top = {func: name for name, func in module.top_functions.items()}
    found: dict[str, FunctionNode] = {}
    for name in _DJANGO_READS | _SQLA_READS | _DRIVER_READS:
        for call in module.calls.get(name, ()):
            owner = next((p for p in module.ancestors(call) if p in top), None)
            if owner is not None and top[owner] not in found and is_query_call(module, call):
                assert isinstance(owner, ast.FunctionDef | ast.AsyncFunctionDef)
                found[top[owner]] = owner
    return found


def uses_database(module: Module) -> bool:
    """A cheap first look: does the module touch an ORM, a query builder or a cursor?"""
    return (
        "objects" in module.attributes
        or "query" in module.attributes
        or any(name in module.calls for name in _DATABASE_CALLS)
    )


_DATABASE_CALLS = ("scalars", "execute", "query", "select", "fetch", "fetchrow", "get", "exec")


def chain(call: ast.expr) -> tuple[list[tuple[str, ast.Call]], ast.expr]:
    """Method calls of ``a.b(x).c(y)`` outermost first, and the expression at the bottom."""
    calls: list[tuple[str, ast.Call]] = []
    node: ast.expr = call
    while True:
        if isinstance(node, ast.Await):
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            calls.append((node.func.attr, node))
            node = node.func.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return calls, node


def sql_text(module: Module, call: ast.Call) -> str:
    """The literal SQL text a driver call runs (empty when unknown)."""
    if not call.args:
        return ""
    text = module.memo(StringFlow).analyse(call.args[0], module.function_of(call))
    return " ".join(text.fragments)


def is_query_call(module: Module, call: ast.Call) -> bool:
    """Whether ``call`` reads from the database when it runs."""
    calls, base = chain(call)
    if not calls:
        return False
    names = [name for name, _ in calls]
    outer = names[0]
    base_name = dotted(base) or ""
    if any(_manager(c) for _, c in calls) or base_name.endswith((".objects", "._default_manager")):
        return outer in _DJANGO_READS
    if base_name.endswith(".query") and base_name[:1].isupper():
        return outer in _SQLA_READS | {"all", "get", "first"}
    innermost_func = calls[-1][1].func
    receiver = ""
    if isinstance(innermost_func, ast.Attribute):
        target = innermost_func.value
        receiver = dotted(target.func if isinstance(target, ast.Call) else target) or ""
    if not receiver or not _SESSIONS.search(receiver):
        return False
    innermost = names[-1]
    if innermost in _DRIVER_READS:
        text = sql_text(module, calls[-1][1]).lstrip().lower()
        if innermost == "execute" and text and not text.startswith(("select", "with")):
            return False
        if innermost == "execute" and not text:
            first = calls[-1][1].args[0] if calls[-1][1].args else None
            return _is_select(first)
        return True
    return innermost in _SQLA_READS


def _is_select(node: ast.expr | None) -> bool:
    if node is None:
        return False
    calls, base = chain(node)
    names = {n for n, _ in calls}
    return (isinstance(base, ast.Call) and (dotted(base.func) or "").endswith("select")) or (
        "select" in names or (isinstance(node, ast.Call) and dotted(node.func) == "select")
    )


def _manager(call: ast.Call) -> bool:
    func = call.func
    return isinstance(func, ast.Attribute) and (dotted(func.value) or "").endswith(".objects")


def describe(
    module: Module, expr: ast.expr, scope: FunctionNode | None, depth: int = 0
) -> Query | None:
    """The query behind an iterable (following local variables), or None if not a query."""
    if depth > 4:
        return None
    if isinstance(expr, ast.Name):
        bindings = module.memo(StringFlow).bindings(scope).get(expr.id, [])
        values = [v for line, how, v in bindings if how == "=" and line <= expr.lineno]
        return describe(module, values[-1], scope, depth + 1) if values else None
    if isinstance(expr, ast.Await):
        return describe(module, expr.value, scope, depth + 1)
    if not isinstance(expr, ast.Call | ast.Attribute | ast.Subscript):
        return None
    calls, base = chain(expr)
    model: str | None = None
    eager: set[str] = set()
    bounded = isinstance(expr, ast.Subscript)
    is_query = False
    base_name = dotted(base) or ""
    if base_name.endswith((".objects", ".query")) and base_name[:1].isupper():
        model, is_query = base_name.split(".")[0], True
    elif _is_select_call(base):
        assert isinstance(base, ast.Call)
        first = base.args[0] if base.args else None
        model, is_query = (first.id if isinstance(first, ast.Name) else None), True
    elif isinstance(base, ast.Name) and calls:
        inner = describe(module, base, scope, depth + 1)
        if inner is not None:
            model, eager, bounded, is_query = inner.model, set(inner.eager), inner.bounded, True
    for name, call in calls:
        if name in _BOUNDS:
            bounded = True
        if name in ("query", "execute", "scalars", "exec") and call.args:
            inner_query = call.args[0]
            found = describe(module, inner_query, scope, depth + 1)
            if found is not None:
                model = model or found.model
                eager |= found.eager
                bounded = bounded or found.bounded
                is_query = True
            elif name == "query" and isinstance(inner_query, ast.Name):
                model, is_query = inner_query.id, True
        if name in ("options", "select_related", "prefetch_related"):
            eager |= _loaded(call)
    if not is_query and isinstance(expr, ast.Call) and is_query_call(module, expr):
        is_query = True
    return Query(model=model, eager=frozenset(eager), bounded=bounded) if is_query else None


def _is_select_call(base: ast.expr) -> bool:
    return isinstance(base, ast.Call) and (dotted(base.func) or "").rpartition(".")[2] == "select"


def _loaded(call: ast.Call) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(call):
        text = const_str(node)
        if text:
            found.update(text.split("__"))
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
    return found
