"""Facts one module tells about the whole project, and their merge.

Some findings depend on other files: a route is protected by a dependency
declared on its router in ``deps.py`` and attached with ``include_router`` in
``main.py``; a loop over ``Book`` rows is an N+1 only if ``Book.author`` is a
lazy relationship in ``models.py``. Each module yields ``ModuleFacts`` (small,
picklable, so worker processes can return them); ``ProjectFacts`` merges them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from backend_agent.review._auth import checks_auth, dependency_names, looks_like_auth
from backend_agent.review._module import Module
from backend_agent.review._orm import querying_functions
from backend_agent.review._pagination import unbounded_functions
from backend_agent.review._syntax import const_str, dotted, is_false, keyword
from backend_agent.review._urlconf import UrlConf, guarded_views, url_conf
from backend_agent.review._web import Web

__all__ = [
    "ACCESS_HOOKS",
    "ModuleFacts",
    "ProjectFacts",
    "Relation",
    "collect_facts",
    "exposes_guarded",
    "grants_access",
    "object_key",
    "top_package",
]

# Methods a view class defines to decide who may use it (Flask-Admin, Django's
# UserPassesTestMixin/PermissionRequiredMixin, DRF permissions on the view).
ACCESS_HOOKS = frozenset(
    {"is_accessible", "inaccessible_callback", "test_func", "has_permission",
     "check_permissions", "get_permission_required"}
)  # fmt: skip
# Class attributes that name the permission a view (or every view of an app config)
# needs: Django's PermissionRequiredMixin, Wagtail's permission policies,
# Flask-AppBuilder's base_permissions, Oscar's permissions_map/default_permissions.
_ACCESS_ATTRIBUTES = frozenset(
    {"permission_required", "permission_policy", "base_permissions", "permissions_map",
     "default_permissions"}
)  # fmt: skip

_EAGER = frozenset(
    {"joined", "selectin", "subquery", "immediate", "raise", "raise_on_sql", "noload"}
)
_SCHEMES = frozenset(
    {"OAuth2PasswordBearer", "HTTPBearer", "HTTPBasic", "APIKeyHeader", "APIKeyCookie",
     "APIKeyQuery", "OAuth2AuthorizationCodeBearer", "OpenIdConnect", "HTTPDigest"}
)  # fmt: skip
_WEB_PACKAGES = (
    "fastapi", "starlette", "flask", "quart", "django", "rest_framework", "jwt", "jose",
    "werkzeug", "flask_login", "flask_jwt_extended", "itsdangerous", "authlib",
)  # fmt: skip
_DJANGO_RELATIONS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})
_OPEN_PERMISSIONS = frozenset({"AllowAny"})


@dataclass(frozen=True)
class Relation:
    """A relationship attribute of a model; ``eager`` when it loads with its parent."""

    model: str
    attribute: str
    eager: bool


@dataclass(frozen=True)
class Owner:
    """An app, router or blueprint, with the dependencies and hooks it applies to its routes."""

    key: str
    dependencies: tuple[str, ...]
    guarded: bool


@dataclass(frozen=True)
class Include:
    """``parent.include_router(child, dependencies=...)`` or ``register_blueprint``."""

    parent: str
    child: str
    dependencies: tuple[str, ...]


@dataclass(frozen=True)
class ModuleFacts:
    """What one module contributes to the project-wide view."""

    auth_names: frozenset[str] = frozenset()
    owners: tuple[Owner, ...] = ()
    includes: tuple[Include, ...] = ()
    login_middleware: bool = False
    drf_default_auth: bool = False
    drf_pagination: bool = False
    drf_settings: bool = False
    relations: tuple[Relation, ...] = ()
    query_functions: frozenset[str] = frozenset()
    unbounded_functions: frozenset[str] = frozenset()
    class_bases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    protected_views: frozenset[str] = frozenset()
    serializer_relations: tuple[tuple[str, str], ...] = ()
    leaky_models: frozenset[str] = frozenset()
    url_conf: UrlConf | None = None


@dataclass
class ProjectFacts:
    """The merged facts of every module reviewed."""

    auth_names: set[str] = field(default_factory=set)
    owners: dict[str, Owner] = field(default_factory=dict)
    includes: list[Include] = field(default_factory=list)
    login_middleware: bool = False
    drf_default_auth: bool = False
    drf_pagination: bool = False
    drf_settings: bool = False
    relations: dict[tuple[str, str], Relation] = field(default_factory=dict)
    by_attribute: dict[str, list[Relation]] = field(default_factory=dict)
    query_functions: set[str] = field(default_factory=set)
    unbounded_functions: set[str] = field(default_factory=set)
    # Views protected where the URLs are configured (a decorator around the view or
    # around a whole list of patterns), by view function or class name.
    protected_views: set[str] = field(default_factory=set)
    # Serializer class -> relations its fields read (``source="author.name"``).
    serializer_relations: dict[str, set[str]] = field(default_factory=dict)
    # Classes whose text form (repr/str) shows a password or token field.
    leaky_models: set[str] = field(default_factory=set)
    # Views routed by some URL configuration of the project, by name.
    routed_views: set[str] = field(default_factory=set)
    # Top-level packages with a pattern list wrapped by an auth decorator that also
    # takes patterns from plugins: a view of theirs routed nowhere may be behind it.
    open_ended_auth: set[str] = field(default_factory=set)
    # Names that some class of the project derives from.
    subclassed: set[str] = field(default_factory=set)

    @classmethod
    def merge(cls, parts: Iterable[ModuleFacts]) -> ProjectFacts:
        """One view of all modules' facts."""
        facts = cls()
        parts_seen = list(parts)
        for part in parts_seen:
            facts.auth_names |= part.auth_names
            facts.owners.update((o.key, o) for o in part.owners)
            facts.includes.extend(part.includes)
            facts.login_middleware |= part.login_middleware
            facts.drf_default_auth |= part.drf_default_auth
            facts.drf_pagination |= part.drf_pagination
            facts.drf_settings |= part.drf_settings
            facts.query_functions |= part.query_functions
            facts.unbounded_functions |= part.unbounded_functions
            for relation in part.relations:
                facts.relations[relation.model, relation.attribute] = relation
                facts.by_attribute.setdefault(relation.attribute, []).append(relation)
            facts.protected_views |= part.protected_views
            facts.leaky_models |= part.leaky_models
            for serializer, attribute in part.serializer_relations:
                facts.serializer_relations.setdefault(serializer, set()).add(attribute)
        classes = [pair for part in parts_seen for pair in part.class_bases]
        facts._inherit_auth(classes)
        facts.subclassed = {base for _, bases in classes for base in bases}
        confs = [part.url_conf for part in parts_seen if part.url_conf is not None]
        facts.protected_views |= guarded_views(confs)
        facts.routed_views = {view for conf in confs for view in conf.routed}
        facts.open_ended_auth = {top_package(conf.module) for conf in confs if conf.open_ended}
        return facts

    def _inherit_auth(self, classes: list[tuple[str, tuple[str, ...]]]) -> None:
        """A class deriving from an auth mixin or a protected base view is a guard too
        (``class PageEdit(EditorView)`` where ``EditorView(LoginRequiredMixin, View)``)."""
        changed = True
        while changed:
            changed = False
            for name, bases in classes:
                if name not in self.auth_names and any(map(self.is_auth, bases)):
                    self.auth_names.add(name)
                    changed = True

    def is_auth(self, name: str) -> bool:
        """Whether ``name`` (a dependency, decorator, alias or class) guards a route."""
        return name in self.auth_names or looks_like_auth(name)

    def owner_guarded(self, key: str | None, seen: frozenset[str] = frozenset()) -> bool:
        """Whether every way a route of ``key`` is mounted passes an auth guard."""
        if key is None or key in seen:
            return False
        owner = self._find(key)
        if owner is not None and (owner.guarded or any(map(self.is_auth, owner.dependencies))):
            return True
        full = owner.key if owner is not None else key
        edges = [i for i in self.includes if _same(i.child, full) or _same(i.child, key)]
        return bool(edges) and all(
            any(map(self.is_auth, e.dependencies)) or self.owner_guarded(e.parent, seen | {key})
            for e in edges
        )

    def runs_query(self, qualified: str) -> bool:
        """Whether the function named ``pkg.module.func`` reads from the database."""
        return any(_same(name, qualified) for name in self.query_functions)

    def returns_every_row(self, qualified: str) -> bool:
        """Whether ``pkg.module.func`` returns an unbounded query result."""
        return any(_same(name, qualified) for name in self.unbounded_functions)

    def _find(self, key: str) -> Owner | None:
        if key in self.owners:
            return self.owners[key]
        for candidate, owner in self.owners.items():
            if _same(candidate, key):
                return owner
        return None


def top_package(module: str) -> str:
    """``shop.admin.urls`` -> ``shop``; a module at the reviewed root -> ``""``."""
    head, dot, _ = module.partition(".")
    return head if dot else ""


def _same(a: str, b: str) -> bool:
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def object_key(module: Module, node: ast.AST) -> str | None:
    """A project-wide name for an object such as ``router``: ``pkg.module.router``."""
    name = dotted(node)
    if name is None:
        return None
    head = name.partition(".")[0]
    if head in module.imports:
        return module.qualname(node)
    return f"{module.name}.{name}" if module.name else name


def collect_facts(module: Module) -> ModuleFacts:
    """The facts ``module`` tells about the project."""
    auth = _auth_names(module)
    owners, includes = _owners(module, auth)
    drf_auth, drf_pages = _drf_settings(module)
    return ModuleFacts(
        auth_names=frozenset(auth),
        owners=tuple(owners),
        includes=tuple(includes),
        login_middleware=any(
            "LoginRequiredMiddleware" in (const_str(c) or "")
            for c in ast.walk(module.top_values.get("MIDDLEWARE") or ast.Constant(None))
        ),
        drf_default_auth=drf_auth,
        drf_pagination=drf_pages,
        drf_settings=isinstance(module.top_values.get("REST_FRAMEWORK"), ast.Dict),
        relations=tuple(_relations(module)),
        query_functions=_qualified(module, querying_functions(module)),
        unbounded_functions=_qualified(module, unbounded_functions(module)),
        class_bases=tuple(_class_bases(module)),
        protected_views=frozenset(_protected_views(module)),
        serializer_relations=tuple(_serializer_relations(module)),
        leaky_models=frozenset(_leaky_models(module)),
        url_conf=url_conf(module, _view_namer(module)),
    )


_SECRET_FIELD = re.compile(r"pass(?:word|wd)|secret|token|api_?key|private_?key", re.I)
_RECORD_BASES = frozenset({"BaseModel", "BaseSettings"})


def _leaky_models(module: Module) -> Iterable[str]:
    """Classes whose ``repr``/``str`` shows a secret field: a ``__repr__``/``__str__``
    that reads one, or a dataclass or pydantic model that declares one as plain text."""
    for cls in module.classes:
        methods = [
            n
            for n in cls.body
            if isinstance(n, ast.FunctionDef) and n.name in ("__repr__", "__str__")
        ]
        if any(
            isinstance(n, ast.Attribute) and _SECRET_FIELD.search(n.attr)
            for method in methods
            for n in ast.walk(method)
        ):
            yield cls.name
            continue
        record = any(_last(d) == "dataclass" for d in cls.decorator_list) or any(
            _last(b) in _RECORD_BASES for b in cls.bases
        )
        if record and not methods and any(_plain_secret(stmt) for stmt in cls.body):
            yield cls.name


def exposes_guarded(cls: ast.ClassDef) -> bool:
    """Most methods a view class exposes carry an auth decorator (Flask-AppBuilder's
    ``@expose(...)`` with ``@has_access``): subclasses inherit those methods."""
    exposed = guarded = 0
    for stmt in cls.body:
        if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        names = [_last(d.func if isinstance(d, ast.Call) else d) for d in stmt.decorator_list]
        if not any(isinstance(d, ast.Call) for d in stmt.decorator_list):
            continue
        exposed += 1
        guarded += any(looks_like_auth(n) for n in names)
    return guarded > 0 and guarded * 2 >= exposed


def grants_access(stmt: ast.stmt) -> bool:
    """``permission_required = "app.change"`` and the like, with a value that names
    something: ``None`` or an empty list/dict/string leave the view open."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value = stmt.targets[0], stmt.value
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        target, value = stmt.target, stmt.value
    else:
        return False
    if not isinstance(target, ast.Name) or target.id not in _ACCESS_ATTRIBUTES:
        return False
    if isinstance(value, ast.Constant):
        return bool(value.value)
    if isinstance(value, ast.List | ast.Tuple | ast.Set):
        return bool(value.elts)
    if isinstance(value, ast.Dict):
        return bool(value.keys)
    return True


def _plain_secret(stmt: ast.stmt) -> bool:
    if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
        return False
    if not _SECRET_FIELD.search(stmt.target.id) or "Secret" in ast.unparse(stmt.annotation):
        return False
    value = stmt.value
    hidden = isinstance(value, ast.Call) and is_false(keyword(value, "repr"))
    return not hidden


def _class_bases(module: Module) -> Iterable[tuple[str, tuple[str, ...]]]:
    for cls in module.classes:
        bases = tuple(_last(b) for b in cls.bases if _last(b))
        guarded = exposes_guarded(cls)
        for stmt in cls.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name in ACCESS_HOOKS:
                guarded = True
            if grants_access(stmt):
                guarded = True
            if not isinstance(stmt, ast.Assign):
                continue
            target = stmt.targets[0]
            if isinstance(target, ast.Name) and target.id == "permission_classes":
                names = [_last(n) for n in ast.walk(stmt.value) if isinstance(n, ast.Name)]
                guarded = any(n[:1].isupper() and n not in _OPEN_PERMISSIONS for n in names)
        # A base view with closed permission classes, an access hook, a required
        # permission or auth decorators on its exposed methods protects its subclasses.
        yield cls.name, (*bases, "IsAuthenticated") if guarded else bases


_URL_FUNCTIONS = frozenset({"path", "re_path", "url"})


def _protected_views(module: Module) -> Iterable[str]:
    """Views wrapped where URLs are configured: ``path("x/", login_required(view))`` and
    ``urlpatterns += staff_only([...])`` where ``staff_only`` applies an auth decorator."""
    if not module.imports_from("django") or not _routes_urls(module):
        return
    wrappers = {
        func.name
        for func in module.functions
        if any(
            looks_like_auth(_last(node))
            for node in ast.walk(func)
            if isinstance(node, ast.Name | ast.Attribute)
        )
    }
    loaded = module.memo(_loaded_views)
    for name in _URL_FUNCTIONS:
        for call in module.calls.get(name, []):
            view = call.args[1] if len(call.args) >= 2 else keyword(call, "view")
            if view is None:
                continue
            inner = _unwrap_auth(view)
            if inner is not None:
                yield _view_name(inner, loaded)
                continue
            for parent in module.ancestors(call):
                if (
                    isinstance(parent, ast.Call)
                    and parent is not call
                    and (_last(parent.func) in wrappers or looks_like_auth(_last(parent.func)))
                ) or (
                    # An app config whose URLs get its permission map or the auth
                    # decorator its hook hands out (Oscar's OscarConfig).
                    isinstance(parent, ast.ClassDef)
                    and (any(map(grants_access, parent.body)) or _hands_out_auth(parent))
                ):
                    yield _view_name(view, loaded)
                    break


def _hands_out_auth(cls: ast.ClassDef) -> bool:
    """A URL config whose hook picks the decorator for its patterns and returns an auth
    one (Oscar's ``get_url_decorator`` returning ``login_required``)."""
    return any(
        isinstance(node, ast.Return)
        and node.value is not None
        and looks_like_auth(_last(node.value))
        for stmt in cls.body
        if isinstance(stmt, ast.FunctionDef) and "decorator" in stmt.name
        for node in ast.walk(stmt)
    )


def _routes_urls(module: Module) -> bool:
    return any(module.calls.get(name) for name in _URL_FUNCTIONS)


def _loaded_views(module: Module) -> dict[str, str]:
    """``self.edit_view = get_class("shop.views", "EditView")``: attribute -> class name,
    for URL configs that load their views by name."""
    found: dict[str, str] = {}
    if not _routes_urls(module):
        return found
    for node in module.assigns:
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Call):
            continue
        target = node.targets[0]
        named = [const_str(a) for a in node.value.args]
        last = named[-1] if named else None
        if isinstance(target, ast.Attribute) and last:
            name = last.rpartition(".")[2]
            if name.isidentifier():
                found[target.attr] = name
    return found


def _view_namer(module: Module) -> Callable[[ast.expr], str]:
    loaded = module.memo(_loaded_views)
    return lambda view: _view_name(view, loaded)


def _unwrap_auth(view: ast.expr) -> ast.expr | None:
    """The view inside ``login_required(view)`` or ``permission_required("p")(view)``."""
    if not isinstance(view, ast.Call) or not view.args:
        return None
    func = view.func
    head = func.func if isinstance(func, ast.Call) else func
    if looks_like_auth(_last(head)):
        return view.args[0]
    return None


def _view_name(view: ast.expr, loaded: dict[str, str]) -> str:
    if isinstance(view, ast.Call) and isinstance(view.func, ast.Attribute):
        view = view.func.value  # ``Edit.as_view()``
    name = _last(view)
    if isinstance(view, ast.Attribute):
        return loaded.get(name, name)  # ``self.edit_view.as_view()``
    return name


def _serializer_relations(module: Module) -> Iterable[tuple[str, str]]:
    """Relations a DRF serializer reads per row: ``source="author.name"`` and nested
    serializers (``author = UserSerializer()``)."""
    if not module.imports_from("rest_framework"):
        return
    for cls in module.classes:
        if not any(_last(b).endswith("Serializer") for b in cls.bases):
            continue
        for stmt in cls.body:
            if not isinstance(stmt, ast.Assign) or not isinstance(stmt.value, ast.Call):
                continue
            target = stmt.targets[0]
            source = const_str(keyword(stmt.value, "source"))
            if source and "." in source:
                yield cls.name, source.partition(".")[0]
            elif isinstance(target, ast.Name) and _last(stmt.value.func).endswith("Serializer"):
                yield cls.name, source or target.id


def _qualified(module: Module, names: Iterable[str]) -> frozenset[str]:
    return frozenset(f"{module.name}.{name}" if module.name else name for name in names)


def _auth_names(module: Module) -> set[str]:
    names: set[str] = set()
    web = module.imports_from(*_WEB_PACKAGES)
    depends = "Depends" in module.calls or "Security" in module.calls
    for func in module.functions:
        guards = looks_like_auth(func.name) or (web and checks_auth(module, func))
        if guards or (depends and any(looks_like_auth(n) for n in dependency_names(func.args))):
            names.add(func.name)
    for name, value in module.top_values.items():
        scheme = isinstance(value, ast.Call) and _last(value.func) in _SCHEMES
        alias = isinstance(value, ast.Subscript) and any(
            n in names or looks_like_auth(n) for n in dependency_names(value)
        )
        if scheme or alias:
            names.add(name)
    return names


def _owners(module: Module, auth: set[str]) -> tuple[list[Owner], list[Include]]:
    web = module.memo(Web)
    hooks: set[str] = set()
    for func in module.functions:
        for decorator in func.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            hook = isinstance(target, ast.Attribute) and target.attr in (
                "before_request",
                "middleware",
            )
            if hook and (func.name in auth or checks_auth(module, func)):
                assert isinstance(target, ast.Attribute)
                hooks.add(dotted(target.value) or "")
    includes: list[Include] = []
    for name in ("before_request", "add_middleware", "include_router", "register_blueprint"):
        for call in module.calls.get(name, []):
            callee = call.func
            if not isinstance(callee, ast.Attribute) or not call.args:
                continue
            owner = dotted(callee.value) or ""
            first = call.args[0]
            if name in ("before_request", "add_middleware"):
                if looks_like_auth(dotted(first) or "") or (dotted(first) or "") in auth:
                    hooks.add(owner)
                continue
            parent, child = object_key(module, callee.value), object_key(module, first)
            if parent and child:
                deps = tuple(dependency_names(keyword(call, "dependencies") or ast.List([])))
                includes.append(Include(parent=parent, child=child, dependencies=deps))
    owners = []
    for node in module.assigns:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id in web.owners:
                deps = ()
                if isinstance(node.value, ast.Call):
                    deps = tuple(
                        dependency_names(keyword(node.value, "dependencies") or ast.List([]))
                    )
                key = object_key(module, target) or target.id
                owners.append(Owner(key=key, dependencies=deps, guarded=target.id in hooks))
    return owners, includes


def _drf_settings(module: Module) -> tuple[bool, bool]:
    config = module.top_values.get("REST_FRAMEWORK")
    if not isinstance(config, ast.Dict):
        return False, False
    auth = pages = False
    for key, value in zip(config.keys, config.values, strict=False):
        name = const_str(key)
        if name == "DEFAULT_PERMISSION_CLASSES":
            classes = [(const_str(e) or "").rpartition(".")[2] for e in ast.walk(value)]
            auth = any(c and c not in _OPEN_PERMISSIONS for c in classes)
        elif name == "DEFAULT_PAGINATION_CLASS":
            pages = const_str(value) is not None
    return auth, pages


def _relations(module: Module) -> list[Relation]:
    found: list[Relation] = []
    for cls in module.classes:
        for stmt in cls.body:
            if not isinstance(stmt, ast.Assign | ast.AnnAssign) or not isinstance(
                stmt.value, ast.Call
            ):
                continue
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
            if not isinstance(target, ast.Name):
                continue
            call = stmt.value
            kind = _last(call.func)
            if kind == "relationship":
                found.extend(_sqlalchemy(cls.name, target.id, call))
            elif kind in _DJANGO_RELATIONS:
                found.extend(_django(cls.name, target.id, call, kind))
    return found


def _sqlalchemy(model: str, attribute: str, call: ast.Call) -> list[Relation]:
    lazy = const_str(keyword(call, "lazy")) or "select"
    found = [Relation(model, attribute, lazy in _EAGER)]
    backref = keyword(call, "backref")
    other = const_str(call.args[0]) if call.args else None
    if other is None and call.args:
        other = dotted(call.args[0])
    if backref is not None and other:
        name = const_str(backref)
        eager = False
        if isinstance(backref, ast.Call) and backref.args:
            name = const_str(backref.args[0])
            eager = (const_str(keyword(backref, "lazy")) or "select") in _EAGER
        if name:
            found.append(Relation(other.rpartition(".")[2], name, eager))
    return found


def _django(model: str, attribute: str, call: ast.Call, kind: str) -> list[Relation]:
    found = [Relation(model, attribute, eager=False)]
    other = const_str(call.args[0]) if call.args else None
    if other is None and call.args:
        other = dotted(call.args[0])
    related = const_str(keyword(call, "related_name"))
    if other and related != "+":
        suffix = "" if kind == "OneToOneField" else "_set"
        reverse = related or f"{model.lower()}{suffix}"
        found.append(Relation(other.rpartition(".")[2], reverse, eager=False))
    return found


def _last(node: ast.AST) -> str:
    name = dotted(node)
    return name.rpartition(".")[2] if name else ""
