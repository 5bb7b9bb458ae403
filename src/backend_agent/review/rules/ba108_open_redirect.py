"""BA108 open-redirect."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._syntax import FunctionNode, argument, const_str
from backend_agent.review._taint import Taint, through

__all__ = ["OpenRedirect"]

_SINKS = ("redirect", "RedirectResponse", "HttpResponseRedirect", "HttpResponsePermanentRedirect")
_CHECKS = frozenset(
    {"url_has_allowed_host_and_scheme", "is_safe_url", "urlparse", "urlsplit", "is_relative_url"}
)
_LOCAL_PREFIX = re.compile(r"^/[^/\\]")


@register
class OpenRedirect(Rule):
    """Find redirects to a URL taken from the request.

    What it finds:
        Flask/Django ``redirect``, ``HttpResponseRedirect`` and Starlette
        ``RedirectResponse`` whose target holds request data (typically a
        ``next`` parameter), unless the target starts with a fixed local path, the
        function checks it (``url_has_allowed_host_and_scheme``, ``urlparse``), the
        app builds it (``reverse``, ``get_absolute_url()``, ``url_for``) or a helper
        of the module that checks it returns it.

    Why it matters:
        A link on the real domain that bounces to ``https://evil.example`` makes
        phishing pages look trusted and can leak OAuth codes in the redirect.

    Example::

        return redirect(request.args.get("next", "/"))

    Fix::

        target = request.args.get("next", "/")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.host}):
            target = "/"
        return redirect(target)
    """

    code = "BA108"
    name = "open-redirect"
    category = "open_redirect"
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    fix = "Redirect only to local paths or to hosts on an allow-list."

    def check(self, module: Module) -> Iterator[Finding]:
        taint = module.memo(Taint)
        for name in _SINKS:
            for call in module.calls.get(name, []):
                target = argument(call, 0, "url") or argument(call, 0, "redirect_to")
                scope = module.function_of(call)
                if target is None or scope is None or not taint.tainted(target, scope):
                    continue
                if _local(target) or _checked(scope) or _built_here(module, target):
                    continue
                message = f"{name}() to a URL that comes from the request"
                for site in taint.sites(target, scope, call):
                    yield self.finding(module, site, through(message, site, call, scope))


def _built_here(module: Module, target: ast.expr) -> bool:
    """A URL the app builds (``reverse(...)``, ``obj.get_absolute_url()``, Flask's
    ``url_for``) or one returned by a helper of this module that checks it
    (``safe_referrer(request)`` calling ``url_has_allowed_host_and_scheme``)."""
    if not isinstance(target, ast.Call):
        return False
    func = target.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name in _URL_BUILDERS:
        return True
    helper = module.top_functions.get(name) if isinstance(func, ast.Name) else None
    return helper is not None and _checked(helper)


_URL_BUILDERS = frozenset({"reverse", "reverse_lazy", "get_absolute_url", "url_for"})


def _local(target: ast.expr) -> bool:
    first: ast.expr | None = target
    if isinstance(first, ast.JoinedStr):
        first = first.values[0] if first.values else None
    elif isinstance(first, ast.BinOp):
        first = first.left
    text = const_str(first)
    return text is not None and bool(_LOCAL_PREFIX.match(text))


def _checked(scope: FunctionNode) -> bool:
    for node in ast.walk(scope):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _CHECKS:
                return True
            if name == "startswith" and node.args and const_str(node.args[0]) == "/":
                return True
    return False
