"""BA201 missing-auth."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from backend_agent.review._auth import (
    checks_auth,
    dependency_names,
    is_public_name,
    referenced_names,
    tokens,
)
from backend_agent.review._facts import (
    ACCESS_HOOKS,
    ProjectFacts,
    exposes_guarded,
    grants_access,
    object_key,
    top_package,
)
from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Pending, Rule, register
from backend_agent.review._syntax import const_str, dotted, is_false, keyword
from backend_agent.review._web import Route, Web

__all__ = ["MissingAuth"]

_PRIVILEGED = frozenset(
    {"admin", "admins", "internal", "superuser", "staff", "manage", "management", "debug",
     "sudo", "impersonate", "backup", "shutdown", "purge", "wipe", "promote", "demote",
     "grant", "revoke", "ban", "unban", "suspend", "role", "roles", "permission",
     "permissions"}
)  # fmt: skip
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_VERSION = re.compile(r"^v\d+$")
_GENERIC = frozenset(
    {"get", "list", "create", "update", "delete", "remove", "view", "views", "api", "detail",
     "details", "edit", "new", "all", "my", "set", "viewset", "apiview", "read", "retrieve"}
)  # fmt: skip
_OPEN = frozenset({"AllowAny"})
_OPEN_DEFAULT = "drf-open-default"


@dataclass(frozen=True)
class _Facts:
    file: str
    owner: str | None
    refs: tuple[str, ...]
    local: bool
    public: bool
    open_by_choice: bool
    drf_default: bool
    framework: str
    methods: frozenset[str]
    privileged: bool
    resource: frozenset[str]
    name: str = ""
    view_class: bool = False
    exposes: bool = False
    package: str = ""


@register
class MissingAuth(Rule):
    """Find routes that skip the authentication the rest of the app applies.

    What it finds:
        FastAPI, Flask, Django and DRF routes with no auth dependency, decorator,
        mixin, permission class or in-body check - looking across files at
        router- and app-level ``dependencies``, ``include_router(...,
        dependencies=...)``, blueprint ``before_request`` hooks, DRF default
        permissions and Django's ``LoginRequiredMiddleware``. A route is reported
        when its neighbours (same file or same router) are protected, when it is
        an admin/internal route, or when it deletes. Login, sign-up, health and
        similar public routes are not reported. Views protected where the URLs are
        configured (``login_required(view)`` in ``path()``, a pattern list passed
        through a function that applies an auth decorator, an app config with a
        permission map such as Oscar's ``default_permissions``) or by the view
        class or a base of it (an auth mixin, closed ``permission_classes``, an
        access hook such as Flask-Admin's ``is_accessible`` or Django's
        ``test_func``, a ``permission_required``, ``permission_policy`` or
        ``base_permissions`` attribute) count as protected. Also
        ``jwt.decode`` told not to verify the signature, and a DRF
        ``DEFAULT_PERMISSION_CLASSES`` of ``AllowAny`` when a write view relies on it.

    Why it matters:
        One forgotten ``Depends(get_current_user)`` or ``@login_required`` opens
        the data or the action to anyone on the internet; it is the most common
        way APIs leak (OWASP API1/API5).

    Example::

        @router.get("/users/me")
        def read_me(user: CurrentUser): ...

        @router.delete("/users/{user_id}")
        def delete_user(user_id: int, session: SessionDep): ...

    Fix::

        @router.delete("/users/{user_id}", dependencies=[Depends(get_current_active_superuser)])
        def delete_user(user_id: int, session: SessionDep): ...
    """

    code = "BA201"
    name = "missing-auth"
    category = "missing_auth"
    severity = Level.HIGH
    confidence = Level.MEDIUM
    fix = (
        "Add the app's auth dependency/decorator/permission class to the route, or to its "
        "router so that every route gets it."
    )

    def check(self, module: Module) -> Iterator[Pending]:
        for route in module.memo(Web).routes:
            if route.framework == "stdlib":
                continue  # one handler class serves every path: no per-route scheme to skip
            facts = _route_facts(module, route)
            kind = "view" if isinstance(route.node, ast.ClassDef) else "route"
            methods = "/".join(sorted(route.methods))
            finding = self.finding(
                module,
                _open_permissions(route) or route.node,
                f"{methods} {kind} {route.node.name!r} has no authentication "
                "dependency, decorator or permission check",
            )
            yield self.pending(finding, facts)

        yield from self._unverified_tokens(module)
        yield from self._open_default(module)

    def _unverified_tokens(self, module: Module) -> Iterator[Pending]:
        """``jwt.decode(token, options={"verify_signature": False})``: any token passes."""
        for call in module.calls.get("decode", []):
            qualified = module.qualname(call.func) or ""
            if qualified.rpartition(".")[0] not in ("jwt", "jose.jwt", "jwt.api_jwt"):
                continue
            options = keyword(call, "options")
            unverified = is_false(keyword(call, "verify"))
            if isinstance(options, ast.Dict):
                for key, value in zip(options.keys, options.values, strict=True):
                    if const_str(key) == "verify_signature" and is_false(value):
                        unverified = True
            if unverified:
                finding = self.finding(
                    module, call, f"{qualified}() accepts a token without checking its signature"
                )
                yield self.pending(finding, None)

    def _open_default(self, module: Module) -> Iterator[Pending]:
        """``DEFAULT_PERMISSION_CLASSES: [AllowAny]``: kept when a write view relies on it."""
        config = module.top_values.get("REST_FRAMEWORK")
        if not isinstance(config, ast.Dict):
            return
        for key, value in zip(config.keys, config.values, strict=True):
            if const_str(key) != "DEFAULT_PERMISSION_CLASSES":
                continue
            classes = [
                (const_str(e) or dotted(e) or "").rpartition(".")[2]
                for e in getattr(value, "elts", [])
            ]
            if classes and all(c in _OPEN for c in classes):
                finding = self.finding(
                    module, value, "DRF's default permission lets anyone call every view"
                )
                yield self.pending(finding, _OPEN_DEFAULT)

    def resolve(self, pending: Sequence[Pending], facts: ProjectFacts) -> Iterator[Finding]:
        for item in pending:
            if item.payload is None:
                yield item.finding
        routes = [(p, p.payload) for p in pending if isinstance(p.payload, _Facts)]
        if any(r.drf_default and r.methods & _WRITES for _, r in routes):
            yield from (p.finding for p in pending if p.payload == _OPEN_DEFAULT)
        guarded = {id(p): _guarded(r, facts) for p, r in routes}
        # Routes protected only by a project-wide default say nothing about their neighbours.
        protected = [
            r
            for p, r in routes
            if guarded[id(p)] and not r.public and _guarded(replace(r, drf_default=False), facts)
        ]
        by_file = Counter(r.file for r in protected)
        routes_by_file = Counter(r.file for _, r in routes if not r.public)
        by_owner = Counter(r.owner for r in protected if r.owner)
        reads = Counter(
            (r.file, word) for r in protected if "GET" in r.methods for word in r.resource
        )
        for item, route in routes:
            if guarded[id(item)] or route.public or _base_view(route, facts):
                continue
            if route.open_by_choice and not (route.privileged or "DELETE" in route.methods):
                continue
            neighbours = by_file[route.file] > 0 or bool(route.owner and by_owner[route.owner])
            if route.methods & _WRITES:
                similar = neighbours
            else:  # a public read beside protected writes is normal, beside protected reads not
                similar = any(reads[route.file, word] for word in route.resource)
            if (
                route.package in facts.open_ended_auth
                and route.framework in ("django", "drf")
                and route.name not in facts.routed_views
            ):
                # Routed nowhere in the project, where a plugin-fed URL list is wrapped
                # by an auth decorator: it may well be mounted behind that wrapper.
                yield replace(item.finding, confidence=Level.LOW)
            elif route.privileged or "DELETE" in route.methods:
                yield item.finding
            elif similar:
                # A read beside a protected read of the same resource is corroborated; a
                # write beside a few protected routes among many open ones is not: the
                # app has no consistent scheme and the route may be public on purpose.
                consistent = (
                    not route.methods & _WRITES
                    or by_file[route.file] * 3 >= routes_by_file[route.file]
                )
                yield item.finding if consistent else replace(item.finding, confidence=Level.LOW)


def _base_view(route: _Facts, facts: ProjectFacts) -> bool:
    """A view class other views derive from, that no URL conf of the project routes
    (Django) or that exposes no method of its own (Flask), is a base, not a route; its
    subclasses are judged on their own."""
    if not route.view_class or route.name not in facts.subclassed:
        return False
    if route.framework == "django":
        return bool(facts.routed_views) and route.name not in facts.routed_views
    return route.framework == "flask" and not route.exposes


def _guarded(route: _Facts, facts: ProjectFacts) -> bool:
    if route.local or route.open_by_choice:
        return route.local
    if any(facts.is_auth(name) for name in route.refs):
        return True
    if facts.owner_guarded(route.owner):
        return True
    if route.framework in ("django", "drf") and (
        facts.login_middleware or route.name in facts.protected_views
    ):
        return True
    return route.drf_default and facts.drf_default_auth


def _route_facts(module: Module, route: Route) -> _Facts:
    node = route.node
    refs: list[str] = []
    local = False
    open_by_choice = False
    has_permissions = False
    for decorator in node.decorator_list:
        if decorator is route.decorator:
            refs.extend(dependency_names(decorator))
        else:
            refs.extend(referenced_names(decorator))
            if _permission_list(decorator) is not None:
                has_permissions = True
                local, open_by_choice = _judge(_permission_list(decorator) or [])
    if isinstance(node, ast.ClassDef):
        refs.extend(referenced_names(ast.Tuple(elts=list(node.bases))))
        local = exposes_guarded(node)  # ``@expose(...)`` methods with ``@has_access``
        for stmt in node.body:
            target = _assigned_name(stmt)
            if target in ("permission_classes", "decorators", "method_decorators"):
                value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
                names = referenced_names(value) if value is not None else []
                if target == "permission_classes":
                    has_permissions = True
                    local, open_by_choice = _judge(names)
                else:
                    refs.extend(names)
            elif isinstance(stmt, ast.FunctionDef) and stmt.name in ACCESS_HOOKS:
                local = True  # Flask-Admin's is_accessible, Django's test_func...
            elif grants_access(stmt):
                local = True  # permission_required, a permission policy or map
    for handler in route.handlers:
        for decorator in handler.decorator_list:
            if decorator is not route.decorator:
                refs.extend(referenced_names(decorator))
        refs.extend(_parameter_refs(handler))
        if checks_auth(module, handler) or _delegates_check(module, handler):
            local = True
    label = route.node.name
    words = set(tokens(route.path)) | set(tokens(label))
    owner = None
    if route.decorator is not None and isinstance(route.decorator.func, ast.Attribute):
        owner = object_key(module, route.decorator.func.value)
    return _Facts(
        file=module.path,
        owner=owner,
        refs=tuple(dict.fromkeys(refs)),
        local=local,
        public=is_public_name(route.path, label) and "DELETE" not in route.methods,
        open_by_choice=open_by_choice,
        drf_default=route.framework == "drf" and not has_permissions,
        framework=route.framework,
        methods=route.methods,
        privileged=bool(words & _PRIVILEGED),
        resource=_resource(route),
        name=route.node.name,
        view_class=isinstance(route.node, ast.ClassDef),
        package=top_package(module.name),
        exposes=bool(route.handlers) or _exposed_methods(route.node),
    )


def _exposed_methods(node: ast.AST) -> bool:
    """A method under a decorator call (``@expose("/list/")``): a Flask view class's route."""
    return isinstance(node, ast.ClassDef) and any(
        isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
        and any(isinstance(d, ast.Call) for d in stmt.decorator_list)
        for stmt in node.body
    )


def _resource(route: Route) -> frozenset[str]:
    """The collection a route serves: ``/api/v1/items/{id}`` -> ``{"item"}``.

    Django views have no path here, so every word of the view's name counts.
    """
    words = [
        w
        for w in route.path.lower().replace("-", "_").split("/")
        if w and not w.startswith(("{", "<")) and w != "api" and not _VERSION.match(w)
    ]
    if route.decorator is None:
        return frozenset(w.removesuffix("s") for w in tokens(route.node.name) if w not in _GENERIC)
    return frozenset({words[0].removesuffix("s") if words else ""})


def _delegates_check(module: Module, handler: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The handler calls a helper of this module that checks the user (one level)."""
    for node in ast.walk(handler):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            helper = module.top_functions.get(node.func.id)
            if helper is not None and helper is not handler and checks_auth(module, helper):
                return True
    return False


def _parameter_refs(handler: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    found: list[str] = []
    args = handler.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        if arg.annotation is not None:
            found.extend(dependency_names(arg.annotation))
            annotation = arg.annotation
            if isinstance(annotation, ast.Name | ast.Attribute):
                found.extend(referenced_names(annotation)[:1])
    for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
        found.extend(dependency_names(default))
    return found


def _permission_list(decorator: ast.expr) -> list[str] | None:
    if isinstance(decorator, ast.Call) and referenced_names(decorator.func)[-1:] == [
        "permission_classes"
    ]:
        return referenced_names(ast.Tuple(elts=list(decorator.args)))
    return None


def _judge(names: list[str]) -> tuple[bool, bool]:
    classes = [n for n in names if n[:1].isupper()]
    if not classes or all(n in _OPEN for n in classes):
        return False, True
    return True, False


def _assigned_name(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id
    return None


def _open_permissions(route: Route) -> ast.stmt | None:
    """``permission_classes = [AllowAny]`` in a view class: the line that opens it."""
    if not isinstance(route.node, ast.ClassDef):
        return None
    for stmt in route.node.body:
        if _assigned_name(stmt) == "permission_classes" and isinstance(stmt, ast.Assign):
            names = referenced_names(stmt.value)
            if _judge(names)[1]:
                return stmt
    return None
