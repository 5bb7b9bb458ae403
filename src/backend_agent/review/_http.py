"""Outgoing HTTP calls: requests, httpx, urllib, urllib3 and aiohttp, and their URL argument."""

from __future__ import annotations

import ast
import re

from backend_agent.review._module import Module
from backend_agent.review._strings import Kind, StringFlow
from backend_agent.review._syntax import FunctionNode, argument, const_str, dotted

__all__ = ["HTTP_METHODS", "fixed_host", "http_call", "url_argument", "url_checked"]

HTTP_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"}
)
_CLIENTS = {
    "httpx.Client": "httpx",
    "httpx.AsyncClient": "httpx",
    "requests.Session": "requests",
    "requests.session": "requests",
    "aiohttp.ClientSession": "aiohttp",
    "urllib3.PoolManager": "urllib3",
}
_FIXED_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#{}@]+[/?#]")
_URL_CHECKS = frozenset({"hostname", "netloc", "host"})
_VALIDATORS = re.compile(r"(allowed|safe|valid|whitelist|allowlist|trusted)", re.I)
_LIBRARIES = ("httpx", "requests", "aiohttp", "urllib3")
_FUNCTIONS = {
    "urllib.request.urlopen": "urllib",
    "urllib.request.Request": "urllib",
    "urllib.urlopen": "urllib",
    "urllib3.request": "urllib3",
}


def http_call(module: Module, call: ast.Call) -> str | None:
    """The library making an outgoing HTTP request in ``call``, or None."""
    qualified = module.qualname(call.func) or ""
    if qualified in _FUNCTIONS:
        return _FUNCTIONS[qualified]
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in HTTP_METHODS:
        return None
    head = qualified.rpartition(".")[0]
    if head in ("requests", "httpx"):
        return head
    if not module.imports_from(*_LIBRARIES):
        return None
    return _client_library(module, func.value, module.function_of(call))


def _client_library(module: Module, receiver: ast.expr, scope: FunctionNode | None) -> str | None:
    if isinstance(receiver, ast.Call):
        return _CLIENTS.get(module.qualname(receiver.func) or "")
    if not isinstance(receiver, ast.Name):
        name = dotted(receiver) or ""
        if name.endswith(("http_client", "httpx_client", "http")):
            return "httpx"
        return None
    flow = module.memo(StringFlow)
    for scope_ in (scope, None):
        for _, _how, value in flow.bindings(scope_).get(receiver.id, []):
            if isinstance(value, ast.Call):
                library = _CLIENTS.get(module.qualname(value.func) or "")
                if library:
                    return library
        if scope is None:
            break
    return None


def url_argument(call: ast.Call, library: str) -> ast.expr | None:
    """The URL passed to an HTTP call."""
    func = call.func
    verb = func.attr if isinstance(func, ast.Attribute) else ""
    if verb == "request" or (library == "httpx" and verb == "stream"):
        return argument(call, 1, "url")
    return argument(call, 0, "url")


def fixed_host(url: ast.expr, flow: StringFlow, scope: FunctionNode) -> bool:
    """The URL starts with literal ``scheme://host/``, so the caller cannot pick the host."""
    first: ast.expr | None = url
    while True:
        if isinstance(first, ast.JoinedStr):
            first = first.values[0] if first.values else None
        elif isinstance(first, ast.BinOp) and isinstance(first.op, ast.Add | ast.Mod):
            first = first.left
        elif (
            isinstance(first, ast.Call)
            and isinstance(first.func, ast.Attribute)
            and first.func.attr == "format"
        ):
            first = first.func.value
        elif isinstance(first, ast.FormattedValue):
            return flow.analyse(first.value, scope).kind is Kind.CONST
        elif isinstance(first, ast.Name):
            return flow.analyse(first, scope).kind is Kind.CONST and first is not url
        else:
            break
    text = const_str(first)
    return text is not None and bool(_FIXED_HOST.match(text))


def url_checked(scope: FunctionNode) -> bool:
    """The function compares the parsed host against something (an allow-list)."""
    for node in ast.walk(scope):
        if isinstance(node, ast.Compare) and any(
            isinstance(op, ast.In | ast.NotIn | ast.Eq | ast.NotEq) for op in node.ops
        ):
            for sub in ast.walk(node.left):
                if isinstance(sub, ast.Attribute) and sub.attr in _URL_CHECKS:
                    return True
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            prefixes = [const_str(a) or "" for a in node.args]
            if name == "startswith" and any(_FIXED_HOST.match(p) for p in prefixes):
                return True
            if (_VALIDATORS.search(name) and "url" in name.lower()) or name.endswith("_host"):
                return True
    return False
