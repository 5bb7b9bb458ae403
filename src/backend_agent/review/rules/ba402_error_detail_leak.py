"""BA402 error-detail-leak."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._syntax import dotted
from backend_agent.review._web import Web

__all__ = ["ErrorDetailLeak"]

_INTERNAL = re.compile(
    r"^(Exception|BaseException|\w*SQLAlchemy\w*|\w*Integrity\w*|\w*Operational\w*|"
    r"\w*Database\w*|DB\w*|\w*DBAPI\w*|\w*Programming\w*|DataError|InterfaceError|"
    r"\w*Psycopg\w*|psycopg\w*|\w*MySQL\w*|\w*Mongo\w*|\w*Redis\w*|\w*Connection\w*|"
    r"\w*Timeout\w*|OSError|IOError|RuntimeError|\w*RequestException|HTTPError|"
    r"\w*ClientError|Boto\w*|\w*Botocore\w*)$"
)
_DRIVERS = re.compile(
    r"^(psycopg2?|psycopg|sqlite3|pymysql|MySQLdb|mysql|asyncpg|sqlalchemy|redis|pymongo|"
    r"requests|httpx|aiohttp|urllib3|botocore|boto3|django\.db|peewee|sqlmodel)$"
)
_RESPONSES = frozenset(
    {"jsonify", "JSONResponse", "Response", "HTTPException", "abort", "make_response",
     "HttpResponse", "JsonResponse", "HttpResponseServerError", "HttpResponseBadRequest",
     "PlainTextResponse", "HTMLResponse", "APIException", "ValidationError", "render",
     "render_template", "ORJSONResponse", "UJSONResponse"}
)  # fmt: skip
_TRACEBACK = frozenset({"format_exc", "format_exception", "format_tb", "print_exc"})


@register
class ErrorDetailLeak(Rule):
    """Find exception text and tracebacks sent back to the client.

    What it finds:
        Responses built inside ``except`` blocks that catch broad or
        infrastructure errors (``Exception``, SQLAlchemy/DB-API errors, network
        errors) and put the exception into the body - ``str(e)``, ``repr(e)``,
        ``f"{e}"``, ``e.args``, ``e.orig`` - through ``return``,
        ``HTTPException(detail=...)``, ``jsonify``, ``JSONResponse``, ``abort``,
        Django/DRF responses, or an ``http.server`` handler's ``send_error``,
        ``wfile.write`` and its own methods that write the response; the same in
        ``@app.exception_handler`` / ``@app.errorhandler`` functions; and
        ``traceback.format_exc()`` in a response. Narrow domain errors
        (``ValueError``, validation errors) are not reported.

    Why it matters:
        Database messages show table and column names, SQL, driver versions and
        sometimes data; tracebacks show paths and code. Attackers use them to
        shape SQL injection and to fingerprint the stack.

    Example::

        except SQLAlchemyError as exc:
            raise HTTPException(status_code=500, detail=str(exc))

    Fix::

        except SQLAlchemyError:
            logger.exception("creating order failed")
            raise HTTPException(status_code=500, detail="internal error")
    """

    code = "BA402"
    name = "error-detail-leak"
    category = "error_detail_leak"
    severity = Level.MEDIUM
    confidence = Level.HIGH
    fix = "Log the exception server-side and return a generic message (and a request id)."

    def check(self, module: Module) -> Iterator[Finding]:
        serving = set(module.memo(Web).handlers)
        exception_handlers = {f for f in module.functions if _is_exception_handler(f)}
        serving |= exception_handlers
        for handler in module.handlers:
            if handler.name is None or not _internal(handler.type):
                continue
            in_view = module.function_of(handler) in serving
            writers = _writers(module, module.function_of(handler)) if in_view else frozenset()
            for stmt in handler.body:
                yield from self._responses(
                    module, stmt, {handler.name}, returns=in_view, writers=writers
                )
        for func in exception_handlers:
            names = {a.arg for a in func.args.args[-1:]}
            for stmt in func.body:
                yield from self._responses(module, stmt, names, returns=True)
        for name in _TRACEBACK:
            for call in module.calls.get(name, []):
                if not (module.qualname(call.func) or "").startswith("traceback"):
                    continue
                if _in_response(module, call, returns=module.function_of(call) in serving):
                    yield self.finding(module, call, "a traceback is sent to the client")

    def _responses(
        self,
        module: Module,
        stmt: ast.stmt,
        names: set[str],
        *,
        returns: bool,
        writers: frozenset[str] = frozenset(),
    ) -> Iterator[Finding]:
        """Exception text in a response; a bare ``return`` counts only in request handlers."""
        for node in ast.walk(stmt):
            if isinstance(node, ast.Return) and node.value is not None:
                if returns and _mentions(node.value, names):
                    yield self.finding(module, node, "the exception text is returned to the client")
            elif isinstance(node, ast.Call) and (
                _call_name(node) in _RESPONSES or _writes_response(node, writers)
            ):
                if returns and isinstance(module.parent(node), ast.Return):
                    continue
                if _mentions(node, names):
                    yield self.finding(module, node, "the exception text is sent to the client")


def _internal(kind: ast.expr | None) -> bool:
    if kind is None:
        return True
    types = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    for name in (dotted(t) or "" for t in types):
        head, _, last = name.rpartition(".")
        if _INTERNAL.match(last) or (head and _DRIVERS.match(head.split(".")[0])):
            return True
    return False


def _is_exception_handler(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in func.decorator_list:
        if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
            continue
        if decorator.func.attr not in ("exception_handler", "errorhandler"):
            continue
        argument = decorator.args[0] if decorator.args else None
        if isinstance(argument, ast.Constant) and argument.value == 500:
            return True
        if argument is not None and _internal(argument):
            return True
    return False


_DETAIL_ATTRS = frozenset(
    {"args", "orig", "message", "msg", "pgerror", "pgcode", "statement", "params", "detail",
     "__dict__", "__cause__", "diag", "strerror", "reason", "text"}
)  # fmt: skip


def _mentions(node: ast.AST, names: set[str]) -> bool:
    """Whether ``node`` turns one of the exception ``names`` into response text."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            if _call_name(sub) in ("str", "repr", "format", "format_exception", "getattr") and any(
                _is_name(a, names) for a in sub.args
            ):
                return True
            if _call_name(sub) in _RESPONSES and any(_is_name(a, names) for a in sub.args):
                return True
        elif isinstance(sub, ast.FormattedValue) and _is_name(sub.value, names):
            return True
        elif isinstance(sub, ast.Attribute) and sub.attr in _DETAIL_ATTRS:
            if _is_name(sub.value, names):
                return True
        elif isinstance(sub, ast.Dict) and any(_is_name(v, names) for v in sub.values if v):
            return True
        elif isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Mod | ast.Add):
            if _is_name(sub.right, names) or _is_name(sub.left, names):
                return True
        elif isinstance(sub, ast.Tuple | ast.List) and any(_is_name(e, names) for e in sub.elts):
            return True
    return False


def _is_name(node: ast.AST | None, names: set[str]) -> bool:
    return isinstance(node, ast.Name) and node.id in names


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _in_response(module: Module, node: ast.AST, *, returns: bool) -> bool:
    for parent in module.ancestors(node):
        if isinstance(parent, ast.Return):
            return returns
        if isinstance(parent, ast.Call) and _call_name(parent) in _RESPONSES:
            return True
        if isinstance(parent, ast.stmt):
            return False
    return False


def _writes_response(call: ast.Call, writers: frozenset[str]) -> bool:
    """``self.send_error(500, ...)``, ``self.wfile.write(...)`` or a method of the
    handler class that answers the request (``self._send(500, {...})``)."""
    name = dotted(call.func) or ""
    return name in ("self.send_error", "self.wfile.write") or (
        name.startswith("self.") and name[5:] in writers
    )


def _writers(module: Module, handler: ast.AST | None) -> frozenset[str]:
    """Methods of an ``http.server`` handler class that write the response."""
    owner = module.class_of(handler) if handler is not None else None
    routes = module.memo(Web).routes
    if owner is None or not any(r.node is owner and r.framework == "stdlib" for r in routes):
        return frozenset()
    return frozenset(
        method.name
        for method in owner.body
        if isinstance(method, ast.FunctionDef)
        and any(
            isinstance(n, ast.Call)
            and (dotted(n.func) or "") in ("self.wfile.write", "self.send_response")
            for n in ast.walk(method)
        )
    )
