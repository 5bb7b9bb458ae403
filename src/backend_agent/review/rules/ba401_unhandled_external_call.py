"""BA401 unhandled-external-call."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from backend_agent.review._http import fixed_host, http_call, url_argument, url_checked
from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._strings import StringFlow
from backend_agent.review._syntax import dotted, keyword
from backend_agent.review._taint import Taint

__all__ = ["UnhandledExternalCall"]

_CATCHES = re.compile(
    r"^(Exception|BaseException|OSError|IOError|socket\.\w+|\w*Request\w*|\w*HTTP\w*|"
    r"\w*Http\w*|\w*Connection\w*|\w*Timeout\w*|URLError|\w*ClientError|TransportError|"
    r"NetworkError|ProtocolError|InvalidURL|\w*Stripe\w*|APIConnectionError|\w*SMTP\w*)$"
)
_RETRY = re.compile(r"retry|backoff|on_exception|circuit", re.I)
_NEEDS_TIMEOUT = frozenset({"requests", "urllib", "smtplib"})
_SDK_CALLS = ("create", "retrieve", "modify", "confirm", "capture", "SMTP", "SMTP_SSL")


def _sdk_call(module: Module, call: ast.Call) -> str | None:
    """Payment and mail SDK calls that cross the network: stripe, smtplib."""
    qualified = module.qualname(call.func) or ""
    if qualified.startswith("stripe.") and qualified.count(".") >= 2:
        return "stripe"
    if qualified in ("smtplib.SMTP", "smtplib.SMTP_SSL"):
        return "smtplib"
    return None


@register
class UnhandledExternalCall(Rule):
    """Find outgoing HTTP calls with no timeout or no error handling.

    What it finds:
        ``requests``, ``httpx``, ``aiohttp``, ``urllib``, ``urllib3``, Stripe SDK and
        ``smtplib`` calls that are not inside a ``try`` catching network errors
        (``RequestException``, ``httpx.HTTPError``, ``ClientError``, ``URLError``,
        ``StripeError``, ``SMTPException``, ``OSError`` or ``Exception``) nor wrapped
        by a retry decorator, and ``requests``/``urllib``/``smtplib`` calls without
        ``timeout=`` (``httpx`` has a default timeout). A request to a URL taken
        from the request is left to BA104 (ssrf).

    Why it matters:
        The other service will be slow or down at some point. Without a timeout a
        worker waits forever and the pool empties; without handling, its outage
        becomes your 500 with a stack trace instead of a clear degraded answer.

    Example::

        resp = requests.get(f"{RATES_URL}/latest")
        return resp.json()["rate"]

    Fix::

        try:
            resp = requests.get(f"{RATES_URL}/latest", timeout=5)
            resp.raise_for_status()
        except requests.RequestException as exc:
            raise RatesUnavailable() from exc
    """

    code = "BA401"
    name = "unhandled-external-call"
    category = "unhandled_external_call"
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    fix = (
        "Set timeout= and catch the client's network errors "
        "(requests.RequestException, httpx.HTTPError)."
    )

    def check(self, module: Module) -> Iterator[Finding]:
        if module.is_test:
            return
        for name in ("get", "post", "put", "patch", "delete", "head", "options", "request",
                     "urlopen", "stream", *_SDK_CALLS):  # fmt: skip
            for call in module.calls.get(name, []):
                library = http_call(module, call) or _sdk_call(module, call)
                if library is None or _ssrf(module, call, library):
                    continue
                problems = []
                if library in _NEEDS_TIMEOUT and keyword(call, "timeout") is None:
                    problems.append("no timeout")
                if not _handled(module, call):
                    problems.append("no error handling")
                if problems:
                    yield self.finding(
                        module,
                        call,
                        f"{library} call with {' and '.join(problems)}",
                        confidence=Level.HIGH if len(problems) == 2 else None,
                    )


def _ssrf(module: Module, call: ast.Call, library: str) -> bool:
    """A URL from the request: BA104 reports the call, and one finding per call is enough."""
    url = url_argument(call, library) if library not in ("stripe", "smtplib") else None
    scope = module.function_of(call)
    if url is None or scope is None or not module.memo(Taint).tainted(url, scope):
        return False
    return not (fixed_host(url, module.memo(StringFlow), scope) or url_checked(scope))


def _handled(module: Module, call: ast.Call) -> bool:
    for statement in module.enclosing_tries(call):
        for handler in statement.handlers:
            if handler.type is None:
                return True
            types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            for kind in types:
                name = dotted(kind) or ""
                if _CATCHES.match(name.rpartition(".")[2]) or _CATCHES.match(name):
                    return True
    for parent in module.ancestors(call):
        if isinstance(parent, ast.With | ast.AsyncWith):
            for item in parent.items:
                expr = item.context_expr
                if isinstance(expr, ast.Call) and (dotted(expr.func) or "").endswith("suppress"):
                    return True
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in parent.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if _RETRY.search(dotted(target) or ""):
                    return True
            break
    return False
