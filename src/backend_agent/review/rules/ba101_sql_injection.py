"""BA101 sql-injection."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._strings import Kind, StringFlow
from backend_agent.review._syntax import FunctionNode, anchor, argument, const_str
from backend_agent.review._taint import Taint, through

__all__ = ["SqlInjection"]

_SINKS = frozenset(
    {"execute", "executemany", "fetch", "fetchrow", "fetchval", "fetch_all", "fetch_one",
     "fetch_val", "mogrify", "execute_many", "query_raw", "executescript", "exec_driver_sql",
     "raw", "RawSQL", "read_sql", "read_sql_query", "literal_column", "text", "extra",
     "execute_sql"}
)  # fmt: skip
_ALWAYS_SQL = frozenset({"executescript", "exec_driver_sql", "RawSQL", "read_sql_query", "extra"})
_SQL = re.compile(
    r"\b(select\b.+\bfrom|insert\s+into|update\b.+\bset\b|delete\s+from|where\b|order\s+by"
    r"|group\s+by|create\s+(table|index)|drop\s+table|alter\s+table|truncate\b|values\s*\(|"
    r"join\b|limit\b|pragma\b)",
    re.I | re.S,
)


@register
class SqlInjection(Rule):
    """Find SQL text built from run-time values that reaches a query function.

    What it finds:
        An f-string, ``%``, ``+``, ``.format()`` or ``join`` that mixes SQL text with
        a non-constant value, and that reaches ``cursor.execute``, SQLAlchemy
        ``text()``/``exec_driver_sql``, Django ``raw``/``RawSQL``/``extra``, asyncpg
        ``fetch*`` or pandas ``read_sql`` - directly, through local variables, or
        through one helper function that returns the built string - and request
        data passed as the whole statement. Constants, allow-listed identifiers
        and values cast with ``int()`` are not reported.

    Why it matters:
        Whoever controls the value controls the query: they can read other users'
        rows, bypass a login or drop tables. Bound parameters keep data out of the
        SQL grammar whatever it contains.

    Example::

        cursor.execute(f"SELECT * FROM users WHERE email = '{email}'")
        stmt = text("SELECT * FROM items WHERE name = '%s'" % name)

    Fix::

        cursor.execute("SELECT * FROM users WHERE email = %s", (email,))
        stmt = text("SELECT * FROM items WHERE name = :name").bindparams(name=name)
    """

    code = "BA101"
    name = "sql-injection"
    category = "sql_injection"
    severity = Level.HIGH
    confidence = Level.HIGH
    fix = "Pass values as bound parameters (%s, ?, :name) instead of formatting them into SQL."

    def check(self, module: Module) -> Iterator[Finding]:
        flow = module.memo(StringFlow)
        for name in sorted(_SINKS):
            for call in module.calls.get(name, []):
                qualified = module.qualname(call.func) or ""
                always = name in _ALWAYS_SQL or qualified.startswith(("sqlalchemy.", "sqlmodel."))
                for query in _queries(call, name):
                    scope = module.function_of(call)
                    text = flow.analyse(query, scope)
                    sql_like = always or bool(_SQL.search(" ? ".join(text.fragments)))
                    if text.kind is Kind.BUILT and sql_like:
                        message = "SQL built from a run-time value"
                    elif text.kind is Kind.OPAQUE and _from_request(module, query, scope, name):
                        message = "SQL text taken from the request"
                    else:
                        continue
                    message = f"{message} reaches {name}(); a crafted value changes the query"
                    at = anchor(call, query)
                    taint = module.memo(Taint)
                    sites = taint.sites(query, scope, at) if scope is not None else []
                    for site in sites or [at]:
                        yield self.finding(module, site, through(message, site, at, scope))
                    break


def _from_request(module: Module, query: ast.expr, scope: FunctionNode | None, name: str) -> bool:
    """Request data used as the whole statement (``text(sort)``, ``execute(q)``)."""
    if name in ("get", "fetch") or scope is None:
        return False
    return module.memo(Taint).tainted(query, scope)


def _queries(call: ast.Call, name: str) -> list[ast.expr]:
    if name == "extra":
        found: list[ast.expr] = []
        for kw in call.keywords:
            if kw.arg in ("where", "select", "tables", "order_by"):
                value = kw.value
                items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
                if isinstance(value, ast.Dict):
                    items = [v for v in value.values if v is not None]
                found.extend(items)
        return found
    first = argument(call, 0, "query") or argument(call, 0, "sql") or argument(call, 0, "statement")
    if first is None or const_str(first) is not None:
        return []
    return [first]
