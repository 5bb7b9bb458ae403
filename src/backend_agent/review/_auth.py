"""What authentication looks like in code: names, decorators, dependencies and checks."""

from __future__ import annotations

import ast
import itertools
import re

from backend_agent.review._module import Module
from backend_agent.review._syntax import FunctionNode, dotted

__all__ = [
    "checks_auth",
    "dependency_names",
    "is_public_name",
    "looks_like_auth",
    "referenced_names",
    "tokens",
]

_WORDS = frozenset(
    {
        "auth", "authenticated", "authenticate", "authentication", "authorize", "authorized",
        "authorization", "login", "logged", "token", "jwt", "permission", "permissions",
        "perm", "perms", "admin", "superuser", "staff", "apikey", "oauth", "oauth2",
        "bearer", "scopes", "role", "roles", "principal", "identity", "guard", "protected",
        "credentials", "signature", "isauthenticated", "isadminuser", "loginrequired",
        "owner", "jwtbearer", "httpbearer", "httpbasic", "signed", "verified",
    }
)  # fmt: skip
_PAIRS = frozenset(
    {("current", "user"), ("api", "key"), ("current", "active"), ("active", "user"),
     ("user", "passes"), ("requires", "user"), ("access", "key"), ("x", "api"),
     ("has", "access")}
)  # fmt: skip
_NOT_AUTH = frozenset(
    {
        "require_http_methods", "require_get", "require_post", "require_safe",
        "csrf_exempt", "allowany", "login_not_required", "get_token_count",
    }
)  # fmt: skip
_PUBLIC = frozenset(
    {
        "login", "logout", "signin", "signup", "register", "registration", "token", "tokens",
        "refresh", "health", "healthz", "healthcheck", "ping", "ready", "readiness",
        "liveness", "live", "docs", "openapi", "metrics", "version", "webhook", "webhooks",
        "callback", "forgot", "reset", "recover", "recovery", "verify", "confirm", "activate",
        "public", "anonymous", "index", "home", "root", "about", "robots", "favicon", "static",
        "sso", "csrf", "authorize", "oauth", "oauth2", "otp", "magic", "welcome",
        "landing", "subscribe", "unsubscribe", "newsletter", "invite", "invitation", "auth",
    }
)  # fmt: skip
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_STATUS = re.compile(r"HTTP_40[13]|^40[13]$")
_MARKER_ATTRS = frozenset(
    {"is_authenticated", "has_perm", "has_perms", "is_staff", "is_superuser", "is_admin"}
)
_MARKER_CALLS = frozenset(
    {
        "verify_jwt_in_request", "get_jwt_identity", "jwt_required", "decode_token",
        "verify_token", "check_permission", "check_permissions", "has_permission",
        "PermissionDenied", "AuthenticationFailed", "NotAuthenticated", "Unauthorized",
        "Forbidden", "InvalidToken", "login_required", "authenticate", "get_current_user",
        "redirect_to_login", "verify_password", "check_password",
    }
)  # fmt: skip


def tokens(name: str) -> list[str]:
    """``get_current_user`` / ``CurrentUser`` -> ``['get', 'current', 'user']``."""
    return [t.lower() for t in re.split(r"[_\W]+", _CAMEL.sub("_", name)) if t]


def looks_like_auth(name: str) -> bool:
    """Whether a dependency, decorator or class name reads as an auth guard."""
    if name.lower() in _NOT_AUTH:
        return False
    parts = tokens(name)
    if any(p in _WORDS for p in parts) or name.lower() in _WORDS:
        return True
    return any(pair in _PAIRS for pair in itertools.pairwise(parts))


def is_public_name(path: str, name: str) -> bool:
    """Whether a route reads as public on purpose: its last path word is login, health..."""
    segments = [s for s in re.split(r"[/.]", path) if s and not s.startswith(("{", "<", ":"))]
    if path.strip() in ("/", "") and not segments and name.lower() in ("root", "index", "home"):
        return True
    label = segments[-1] if segments else name
    return any(t in _PUBLIC for t in tokens(label)) or any(t in _PUBLIC for t in tokens(name)[:2])


def dependency_names(node: ast.AST) -> list[str]:
    """Names passed to ``Depends(...)``/``Security(...)`` anywhere inside ``node``."""
    found = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and _last(sub.func) in ("Depends", "Security"):
            target = sub.args[0] if sub.args else None
            for kw in sub.keywords:
                if kw.arg == "dependency":
                    target = kw.value
            if target is not None:
                name = _last(target.func if isinstance(target, ast.Call) else target)
                if name:
                    found.append(name)
    return found


def referenced_names(node: ast.AST) -> list[str]:
    """Every identifier (last part of dotted names) inside ``node``."""
    found = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.append(sub.attr)
    return found


def checks_auth(module: Module, func: FunctionNode) -> bool:
    """Whether ``func`` verifies the caller: 401/403 answers, user checks, JWT checks."""
    return func in module.memo(_auth_checkers)


def _auth_checkers(module: Module) -> frozenset[FunctionNode]:
    """Every function holding an auth check, found from the module's indexes in one pass."""
    markers: list[ast.AST] = []
    for name in _MARKER_ATTRS:
        markers.extend(module.attributes.get(name, ()))
    for name, nodes in module.attributes.items():
        if name.startswith("HTTP_40") and _STATUS.search(name):
            markers.extend(nodes)
    for name in _MARKER_CALLS:
        markers.extend(module.calls.get(name, ()))
    for code in (401, 403):
        markers.extend(module.numbers.get(code, ()))
    found: set[FunctionNode] = set()
    for marker in markers:
        for parent in module.ancestors(marker):
            if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
                found.add(parent)
    return frozenset(found)


def _last(node: ast.AST) -> str:
    name = dotted(node)
    return name.rpartition(".")[2] if name else ""
