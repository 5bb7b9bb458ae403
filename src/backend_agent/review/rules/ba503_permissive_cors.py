"""BA503 permissive-cors."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._strings import StringFlow
from backend_agent.review._syntax import const_str, dotted, is_true, keyword

__all__ = ["PermissiveCors"]

_ANY = frozenset({"*", ".*", "^.*$", "https?://.*", r"^https?://.*$", ".+", "^.+$"})


@register
class PermissiveCors(Rule):
    """Find CORS settings that let any web site call the API.

    What it finds:
        Starlette/FastAPI ``CORSMiddleware`` with ``allow_origins=["*"]`` or a
        match-all ``allow_origin_regex``; Flask-CORS ``CORS(app)`` without origins
        or with ``"*"``; ``@cross_origin()`` without origins; django-cors-headers
        ``CORS_ALLOW_ALL_ORIGINS``/``CORS_ORIGIN_ALLOW_ALL = True`` or a match-all
        regex; and an ``Access-Control-Allow-Origin`` header set to ``*`` or echoed
        from the request's ``Origin`` (also through a variable, as Flask
        ``after_request`` hooks do) without an allow-list test around it. With
        credentials allowed it is high severity.

    Why it matters:
        Any page a user visits can call the API from their browser; with
        credentials (cookies) it acts as the logged-in user, and without them it
        still reaches intranet-only APIs through the user's network.

    Example::

        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)

    Fix::

        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True
        )
    """

    code = "BA503"
    name = "permissive-cors"
    category = "permissive_cors"
    severity = Level.MEDIUM
    confidence = Level.HIGH
    fix = "List the front-end origins that may call the API instead of allowing every origin."

    def check(self, module: Module) -> Iterator[Finding]:
        for name in ("add_middleware", "CORSMiddleware", "Middleware", "CORS", "cross_origin"):
            for call in module.calls.get(name, []):
                if name in ("add_middleware", "Middleware") and not (
                    call.args and (dotted(call.args[0]) or "").endswith("CORSMiddleware")
                ):
                    continue
                yield from self._call(module, call, name)
        for node in module.assigns:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                yield from self._assignment(module, node, target)

    def _call(self, module: Module, call: ast.Call, name: str) -> Iterator[Finding]:
        credentials = is_true(keyword(call, "allow_credentials")) or is_true(
            keyword(call, "supports_credentials")
        )
        severity = Level.HIGH if credentials else None
        if name in ("CORS", "cross_origin"):
            origins = keyword(call, "origins") or keyword(call, "resources")
            if origins is None and len(call.args) <= 1:
                yield self.finding(
                    module, call, f"{name}() allows every origin by default", severity=severity
                )
            elif origins is not None and _match_all(origins):
                yield self.finding(module, call, f"{name}() allows every origin", severity=severity)
            return
        for key in ("allow_origins", "allow_origin_regex"):
            value = keyword(call, key)
            if value is not None and _match_all(value):
                yield self.finding(
                    module, call, f"CORSMiddleware {key} allows every origin", severity=severity
                )

    def _assignment(
        self, module: Module, node: ast.Assign | ast.AnnAssign, target: ast.expr
    ) -> Iterator[Finding]:
        value = node.value
        if isinstance(target, ast.Name):
            if target.id in ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL") and is_true(value):
                yield self.finding(module, node, f"{target.id} = True allows every origin")
            elif target.id in ("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST") and (
                value is not None and _match_all(value)
            ):
                yield self.finding(module, node, f"{target.id} matches every origin")
            elif target.id in ("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST") and (
                value is not None and _match_all(value)
            ):
                yield self.finding(module, node, f"{target.id} allows every origin")
        elif (
            isinstance(target, ast.Subscript)
            and (const_str(target.slice) or "").lower() == "access-control-allow-origin"
            and value is not None
            and (_match_all(value) or _echoes_origin(value) or _echoed_name(module, node, value))
        ):
            yield self.finding(
                module,
                node,
                "Access-Control-Allow-Origin allows every origin",
                severity=Level.HIGH if _sends_credentials(module, node) else None,
            )


def _match_all(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        text = const_str(sub)
        if text is not None and text.strip() in _ANY:
            return True
    return False


def _echoes_origin(node: ast.AST) -> bool:
    return any((const_str(sub) or "").lower() == "origin" for sub in ast.walk(node))


def _echoed_name(module: Module, node: ast.AST, value: ast.expr) -> bool:
    """``origin = request.headers.get("Origin")`` then the header set to ``origin``,
    with no ``if origin in ALLOWED`` around it."""
    if not isinstance(value, ast.Name):
        return False
    scope = module.function_of(node)
    bindings = module.memo(StringFlow).bindings(scope).get(value.id, [])
    if not any(how == "=" and _echoes_origin(v) for _, how, v in bindings):
        return False
    for parent in module.ancestors(node):
        if parent is scope:
            break
        if isinstance(parent, ast.If | ast.IfExp) and any(
            isinstance(n, ast.Name) and n.id == value.id for n in ast.walk(parent.test)
        ):
            return False
    return True


def _sends_credentials(module: Module, node: ast.AST) -> bool:
    scope = module.function_of(node)
    if scope is None:
        return False
    return any(
        (const_str(n) or "").lower() == "access-control-allow-credentials" for n in ast.walk(scope)
    )
