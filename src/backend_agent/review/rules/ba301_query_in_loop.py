"""BA301 query-in-loop."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from backend_agent.review._facts import ProjectFacts
from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._orm import chain, is_query_call, querying_functions, uses_database
from backend_agent.review._registry import Pending, Rule, register

__all__ = ["QueryInLoop"]

_QUERY_NAMES = frozenset(
    {"get", "filter", "exclude", "first", "count", "exists", "all", "one", "one_or_none",
     "scalar", "scalars", "scalar_one", "scalar_one_or_none", "execute", "fetch", "fetchrow",
     "fetchval", "fetch_one", "fetch_all", "filter_by", "query", "values", "values_list",
     "aggregate", "latest", "earliest", "get_or_404", "first_or_404"}
)  # fmt: skip


@register
class QueryInLoop(Rule):
    """Find database queries run once per item of a loop (N+1 queries).

    What it finds:
        A read query - SQLAlchemy ``session.get/execute/scalars/query``,
        Flask-SQLAlchemy ``Model.query``, Django ``Model.objects.*``, a DB-API
        ``cursor.execute("SELECT ...")`` or asyncpg ``fetch*`` - inside a ``for``
        loop or comprehension, whose arguments use the loop variable. Only the
        outermost call of a query chain is reported; so is a call, inside the loop,
        to a helper of the same module that runs such a query. Writes are not
        reported, nor are test modules: a test's loop runs over a handful of
        fixture rows, never a page a user asked for. Nor are queries combined
        rather than run (``pages |= Page.objects.filter(...)``, a subquery in
        ``id__in=``), migrations and ``RunPython`` functions (``apps,
        schema_editor``) wherever they are defined.

    Why it matters:
        One query per row turns a page of 100 items into 101 round trips; latency
        grows with the data and the database connection pool drains under load.

    Example::

        for order in orders:
            customer = session.get(Customer, order.customer_id)

    Fix::

        ids = {order.customer_id for order in orders}
        customers = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))}
    """

    code = "BA301"
    name = "query-in-loop"
    category = "n_plus_one"
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    fix = "Load all rows in one query before the loop (IN (...), a join, selectinload/prefetch)."

    def check(self, module: Module) -> Iterator[Finding | Pending]:
        if module.is_test or module.is_migration or not module.loops:
            return
        yield from self._helpers(module)
        if not uses_database(module):
            return
        seen: set[ast.Call] = set()
        for name in sorted(_QUERY_NAMES):
            for call in module.calls.get(name, []):
                if call in seen:
                    continue
                parent = module.parent(call)
                outer = call
                while isinstance(parent, ast.Attribute) and isinstance(
                    module.parent(parent), ast.Call
                ):
                    grand = module.parent(parent)
                    assert isinstance(grand, ast.Call)
                    outer, parent = grand, module.parent(grand)
                calls, _base = chain(outer)
                seen.update(c for _, c in calls)
                if not is_query_call(module, outer) and not is_query_call(module, call):
                    continue
                if _lazy(module, outer) or _data_migration(module.function_of(call)):
                    continue
                loops = module.enclosing_loops(call)
                if not loops or not _uses_loop_value(module, outer, loops):
                    continue
                yield self.finding(
                    module, outer, "query inside a loop runs once per item (N+1 queries)"
                )

    def _helpers(self, module: Module) -> Iterator[Finding | Pending]:
        """Calls inside a loop to a function that runs a query: local now, imported later."""
        local = querying_functions(module)
        for name, target in module.imports.items():
            for call in module.calls.get(name, []):
                if not isinstance(call.func, ast.Name):
                    continue
                loops = module.enclosing_loops(call)
                if loops and _uses_loop_value(module, call, loops):
                    yield self.pending(self._helper_finding(module, call, name), target)
        for name in sorted(local):
            for call in module.calls.get(name, []):
                if not isinstance(call.func, ast.Name) or module.function_of(call) is local[name]:
                    continue
                loops = module.enclosing_loops(call)
                if loops and _uses_loop_value(module, call, loops):
                    yield self._helper_finding(module, call, name)

    def _helper_finding(self, module: Module, call: ast.Call, name: str) -> Finding:
        return self.finding(
            module, call, f"{name}() runs a query once per item of the loop (N+1 queries)"
        )

    def resolve(self, pending: Sequence[Pending], facts: ProjectFacts) -> Iterator[Finding]:
        for item in pending:
            if isinstance(item.payload, str) and facts.runs_query(item.payload):
                yield item.finding


def _lazy(module: Module, query: ast.Call) -> bool:
    """A query combined into another one, not run: ``pages |= Page.objects.filter(...)``
    (a lazy QuerySet union) or ``filter(id__in=Other.objects.values("id"))`` (a
    subquery of the outer query)."""
    parent = module.parent(query)
    if isinstance(parent, ast.keyword):
        return True
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.BitOr | ast.BitAnd):
        return True
    return (
        isinstance(parent, ast.AugAssign)
        and parent.value is query
        and isinstance(parent.op, ast.BitOr | ast.BitAnd)
    )


def _data_migration(scope: ast.AST | None) -> bool:
    """A ``RunPython`` function, ``def forwards(apps, schema_editor)``, wherever it is
    defined: it runs once, offline, like the migration that calls it."""
    if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    return "schema_editor" in [a.arg for a in scope.args.args]


def _uses_loop_value(
    module: Module, call: ast.Call, loops: list[ast.For | ast.AsyncFor | ast.comprehension]
) -> bool:
    names: set[str] = set()
    for loop in loops:
        names.update(n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name))
        if isinstance(loop, ast.For | ast.AsyncFor):
            for stmt in loop.body:
                for node in ast.walk(stmt):
                    if isinstance(node, ast.Assign) and _mentions(node.value, names):
                        names.update(
                            n.id
                            for t in node.targets
                            for n in ast.walk(t)
                            if isinstance(n, ast.Name)
                        )
    return _mentions(call, names)


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))
