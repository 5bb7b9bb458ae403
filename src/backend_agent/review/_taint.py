"""Which values come from the HTTP request, followed through one function and one helper.

Sources are request attributes (``request.args``, ``request.GET``,
``await request.json()``, ``self.kwargs``...) and the user-supplied parameters of a
handler (FastAPI path/query/body parameters, Flask ``<name>`` converters, Django
URL arguments). Taint flows through assignments, f-strings, ``+``, ``%``,
``.format``, attribute and item access, method calls on tainted values and path
builders; casts and sanitisers (``int``, ``secure_filename``, ``basename``,
``shlex.quote``...) stop it. A helper defined in the same module that a handler
calls with tainted arguments gets those parameters tainted (one level), and
``sites`` moves a sink found that way to the handler's call. A helper whose
return value carries a tainted argument taints the call's result. An item
of a dict literal read under a constant key holds only what was stored under that
key (``_containers``).
"""

from __future__ import annotations

import ast
import re
from functools import cached_property

from backend_agent.review._containers import stored_values
from backend_agent.review._module import Module
from backend_agent.review._straight import StraightLine
from backend_agent.review._syntax import FunctionNode, dotted
from backend_agent.review._web import Route, Web

__all__ = ["SOURCE_ATTRIBUTES", "Taint", "through"]

SOURCE_ATTRIBUTES = frozenset(
    {
        "args", "form", "values", "json", "get_json", "data", "get_data", "files", "cookies",
        "headers", "GET", "POST", "FILES", "COOKIES", "META", "body", "query_params",
        "path_params", "stream", "query_string", "view_args", "query", "match_info",
    }
)  # fmt: skip
_STDLIB_SOURCES = frozenset({"path", "headers", "rfile", "requestline", "raw_requestline"})
_REQUEST_WORD = re.compile(r"\breq(?:uest)?\b")
_REQUEST_NAMES = frozenset({"request", "req"})
_SANITISERS = frozenset(
    {
        "int", "float", "bool", "len", "secure_filename", "basename", "quote", "escape",
        "UUID", "uuid4", "hexdigest", "digest", "clean", "abs", "round", "isdigit",
        "get_valid_filename", "slugify", "safe_join", "urlencode", "quote_plus",
        "is_safe_url", "url_has_allowed_host_and_scheme", "sha256", "md5", "count",
        "startswith", "endswith", "isidentifier", "isalnum", "exists", "is_file",
    }
)  # fmt: skip
_PROPAGATORS = frozenset(
    {
        "join", "Path", "PurePath", "PosixPath", "abspath", "normpath", "realpath",
        "expanduser", "str", "format", "urljoin", "loads", "dict", "list", "decode",
        "encode", "lower", "upper", "strip", "lstrip", "rstrip", "replace", "split",
        "get", "getlist", "pop", "joinpath", "resolve", "dumps", "unquote", "model_dump",
        "dict_", "copy", "items", "keys", "values", "read", "getvalue", "removeprefix",
        "parse_qs", "parse_qsl", "urlparse", "urlsplit", "unquote_plus", "partition",
        "rpartition", "rsplit", "splitlines",
    }
)  # fmt: skip
_SAFE_TYPES = frozenset(
    {
        "int", "float", "bool", "UUID", "UUID4", "date", "datetime", "time", "Decimal",
        "PositiveInt", "NonNegativeInt", "conint", "confloat", "EmailStr", "Literal",
        "Session", "AsyncSession", "Request", "Response", "BackgroundTasks", "WebSocket",
        "HttpRequest", "Depends", "Security", "OAuth2PasswordRequestForm", "timedelta",
    }
)  # fmt: skip
_DEPENDENCY_SUFFIX = re.compile(r"(Dep|Deps|Session|Db|DB|Settings|User|Service|Repo|Repository)$")
_FLASK_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
_FASTAPI_DEPENDS = frozenset({"Depends", "Security"})


class Taint:
    """Answers ``tainted(expr, scope)`` for one module."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.web = module.memo(Web)
        self._names: dict[FunctionNode, frozenset[str]] = {}
        self._returns_cache: dict[tuple[FunctionNode, str], bool] = {}
        self._straight: dict[FunctionNode, StraightLine] = {}
        self._live_cache: dict[tuple[FunctionNode, ast.stmt], frozenset[str]] = {}
        # ``self.path``, ``self.headers`` and ``self.rfile`` of an http.server handler.
        self._stdlib = any(r.framework == "stdlib" for r in self.web.routes)
        # A module with no route and no ``request`` holds no request data at all.
        self._inert = not self.web.routes and _REQUEST_WORD.search(module.source) is None

    def tainted(self, expr: ast.AST, scope: FunctionNode | None) -> bool:
        """Whether ``expr`` (evaluated in ``scope``) can hold request data."""
        if self._inert:
            return False
        names = self.names(scope) if scope is not None else frozenset()
        if scope is not None and names:
            names = self._live(scope, names, expr)
        return self._expr(expr, names)

    def _live(self, scope: FunctionNode, names: frozenset[str], at: ast.AST) -> frozenset[str]:
        """``names`` less those a straight-line assignment before ``at`` rebinds to a
        value without request data (``x = int(x)``)."""
        straight = self._straight.get(scope)
        if straight is None:
            straight = self._straight[scope] = StraightLine(scope)
        top = straight.top_statement(at, self.module.parents)
        if top is None:
            return names
        key = (scope, top)
        known = self._live_cache.get(key)
        if known is not None:
            return known
        kept = set(names)
        for name in names:
            last = straight.last_before(name, top, self.module.parents)
            if (
                last is not None
                and last.value is not None
                and not self._expr(last.value, self._live(scope, names, last))
            ):
                kept.discard(name)
        known = self._live_cache[key] = frozenset(kept)
        return known

    def names(self, scope: FunctionNode) -> frozenset[str]:
        """Local names of ``scope`` that hold request data."""
        found = self._names.get(scope)
        if found is None:
            self._names[scope] = frozenset()  # a recursion guard while computing
            found = self._propagate(scope, self._seeds(scope))
            self._names[scope] = found
        return found

    def is_source(self, expr: ast.AST) -> bool:
        """``request.args``, ``request.GET[...]``, ``self.kwargs``... (any depth of access)."""
        node = expr
        while True:
            if isinstance(node, ast.Attribute):
                base = node.value
                if node.attr in SOURCE_ATTRIBUTES and _is_request(base):
                    return True
                if isinstance(base, ast.Name) and base.id == "self":
                    if node.attr == "kwargs":
                        return True
                    if node.attr in _STDLIB_SOURCES and self._stdlib:
                        return True
                node = base
            elif isinstance(node, ast.Subscript):
                node = node.value
            elif isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Await):
                node = node.value
            else:
                return False

    # -- seeds -------------------------------------------------------------

    def _seeds(self, scope: FunctionNode) -> set[str]:
        route = self.web.handlers.get(scope)
        if route is not None:
            return self._user_params(scope, route)
        return set(self._helper_seeds.get(scope, ()))

    def _user_params(self, func: FunctionNode, route: Route) -> set[str]:
        args = func.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        defaults: dict[str, ast.expr | None] = {}
        positional = [*args.posonlyargs, *args.args]
        with_defaults = positional[len(positional) - len(args.defaults) :]
        for arg, default in zip(with_defaults, args.defaults, strict=True):
            defaults[arg.arg] = default
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if kw_default is not None:
                defaults[arg.arg] = kw_default
        names = [p.arg for p in params if p.arg not in ("self", "cls", "request", "req")]
        if route.framework == "flask":
            convs = {m["name"]: m["conv"] for m in _FLASK_PARAM.finditer(route.path)}
            return {n for n in names if n in convs and convs[n] in (None, "string", "path")}
        if route.framework in ("django", "drf"):
            return {n for n in names if n not in ("pk", "id", "format") and not n.endswith("_id")}
        found = set()
        for param in params:
            if param.arg not in names:
                continue
            given = defaults.get(param.arg)
            if isinstance(given, ast.Call) and _last(given.func) in _FASTAPI_DEPENDS:
                continue
            if param.annotation is not None and not self._user_type(param.annotation):
                continue
            found.add(param.arg)
        return found

    def _user_type(self, annotation: ast.expr) -> bool:
        if isinstance(annotation, ast.Subscript):
            head = _last(annotation.value)
            if head == "Annotated" and isinstance(annotation.slice, ast.Tuple):
                parts = annotation.slice.elts
                if any(
                    isinstance(p, ast.Call) and _last(p.func) in _FASTAPI_DEPENDS for p in parts[1:]
                ):
                    return False
                return self._user_type(parts[0])
            if head in ("Optional", "list", "List", "Union"):
                inner = annotation.slice
                elements = inner.elts if isinstance(inner, ast.Tuple) else [inner]
                return any(self._user_type(e) for e in elements)
            return head not in ("Literal",)
        if isinstance(annotation, ast.BinOp):
            return self._user_type(annotation.left) or self._user_type(annotation.right)
        name = _last(annotation)
        if name in _SAFE_TYPES or name == "None":
            return False
        alias = self.module.top_values.get(name)
        if alias is not None:
            return self._user_type(alias)
        if name[:1].isupper() and _DEPENDENCY_SUFFIX.search(name):
            return False
        return name not in self._enums

    @cached_property
    def _enums(self) -> frozenset[str]:
        return frozenset(
            cls.name
            for cls in self.module.classes
            if any((dotted(b) or "").endswith("Enum") for b in cls.bases)
        )

    def sites(self, expr: ast.AST, scope: FunctionNode | None, at: ast.AST) -> list[ast.AST]:
        """Where a sink at ``at`` that uses ``expr`` is reported: ``[at]`` when request
        data reaches it inside ``scope``; when it arrives only through the parameters
        of a helper, the handlers' calls that pass it (the defect is the caller's
        choice to hand the user's value on); ``[]`` when no request data reaches it."""
        if not self.tainted(expr, scope):
            return []
        if scope is None or scope in self.web.handlers:
            return [at]
        calls = self._helper_calls.get(scope)
        if not calls or self._expr(expr, self._propagate(scope, set())):
            return [at]
        found: list[ast.AST] = []
        for param in sorted(calls):
            if self._expr(expr, self._propagate(scope, {param})):
                found.extend(c for c in calls[param] if c not in found)
        return found or [at]

    @cached_property
    def _helper_seeds(self) -> dict[FunctionNode, set[str]]:
        return {helper: set(calls) for helper, calls in self._helper_calls.items()}

    @cached_property
    def _helper_calls(self) -> dict[FunctionNode, dict[str, list[ast.Call]]]:
        """Helper -> its parameter -> the handlers' calls that pass request data to it."""
        found: dict[FunctionNode, dict[str, list[ast.Call]]] = {}
        for handler in self.web.handlers:
            names = self.names(handler)
            for node in ast.walk(handler):
                if not isinstance(node, ast.Call):
                    continue
                target = self._callee(node, handler)
                if target is None or target in self.web.handlers:
                    continue
                params = [a.arg for a in [*target.args.posonlyargs, *target.args.args]]
                if params[:1] in (["self"], ["cls"]):
                    params = params[1:]
                passed = [
                    (params[index], arg)
                    for index, arg in enumerate(node.args)
                    if index < len(params)
                ]
                passed.extend((kw.arg, kw.value) for kw in node.keywords if kw.arg)
                for param, arg in passed:
                    if self._expr(arg, names):
                        found.setdefault(target, {}).setdefault(param, []).append(node)
        return found

    def _callee(self, call: ast.Call, scope: FunctionNode) -> FunctionNode | None:
        func = call.func
        if isinstance(func, ast.Name):
            return self.module.top_functions.get(func.id)
        if isinstance(func, ast.Attribute) and dotted(func.value) in ("self", "cls"):
            owner = self.module.class_of(scope)
            return self.module.method(owner, func.attr) if owner is not None else None
        return None

    # -- propagation -------------------------------------------------------

    def _propagate(self, scope: FunctionNode, seeds: set[str]) -> frozenset[str]:
        names = set(seeds)
        steps: list[tuple[ast.expr, ast.expr]] = []
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign):
                steps.extend((t, node.value) for t in node.targets)
            elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value:
                steps.append((node.target, node.value))
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                steps.append((node.target, node.iter))
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                steps.append((node.optional_vars, node.context_expr))
        for _ in range(3):
            before = len(names)
            for target, value in steps:
                if self._expr(value, names):
                    names.update(_bound(target))
            if len(names) == before:
                break
        return frozenset(names)

    def _expr(self, expr: ast.AST, names: frozenset[str] | set[str]) -> bool:
        if isinstance(expr, ast.Name):
            return expr.id in names
        if isinstance(expr, ast.Attribute):
            if _self_attribute(expr) in names:
                return True
            if expr.attr in ("name", "stem", "suffix", "suffixes") and isinstance(
                expr.value, ast.Call
            ):
                return False
            return self.is_source(expr) or self._expr(expr.value, names)
        if isinstance(expr, ast.Subscript | ast.Call):
            stored = stored_values(self.module, expr)
            if stored is not None:  # an item of a dict literal: only what that key holds
                return any(self._expr(v, names) for v in stored)
        if isinstance(expr, ast.Subscript):
            return self._expr(expr.value, names)
        if isinstance(expr, ast.Call):
            return self._call(expr, names)
        if isinstance(expr, ast.JoinedStr):
            return any(
                self._expr(v.value, names) for v in expr.values if isinstance(v, ast.FormattedValue)
            )
        if isinstance(expr, ast.BinOp):
            return self._expr(expr.left, names) or self._expr(expr.right, names)
        if isinstance(expr, ast.BoolOp | ast.Tuple | ast.List | ast.Set):
            items = expr.values if isinstance(expr, ast.BoolOp) else expr.elts
            return any(self._expr(v, names) for v in items)
        if isinstance(expr, ast.IfExp):
            return self._expr(expr.body, names) or self._expr(expr.orelse, names)
        if isinstance(expr, ast.Await | ast.Starred | ast.FormattedValue):
            return self._expr(expr.value, names)
        if isinstance(expr, ast.Dict):
            return any(v is not None and self._expr(v, names) for v in expr.values)
        if isinstance(expr, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            return any(self._expr(g.iter, names) for g in expr.generators)
        return False

    def _call(self, call: ast.Call, names: frozenset[str] | set[str]) -> bool:
        func = call.func
        name = _last(func)
        if name in _SANITISERS:
            return False
        if self.is_source(call):
            return True
        if isinstance(func, ast.Attribute) and self._expr(func.value, names):
            return name not in ("exists", "is_file", "is_dir", "hexdigest")
        if name in _PROPAGATORS:
            arguments = [*call.args, *(k.value for k in call.keywords)]
            return any(self._expr(a, names) for a in arguments)
        return self._through_helper(call, names)

    def _through_helper(self, call: ast.Call, names: frozenset[str] | set[str]) -> bool:
        """A function or method of this module called with request data that it hands
        back in its result, or one that returns request data it reads itself."""
        func = call.func
        if isinstance(func, ast.Attribute) and dotted(func.value) not in ("self", "cls"):
            return False
        if not isinstance(func, ast.Name | ast.Attribute):
            return False
        scope = self.module.function_of(call)
        helper = self._callee(call, scope) if scope is not None else None
        if helper is None and isinstance(func, ast.Name):
            helper = self.module.top_functions.get(func.id)
        if helper is None or helper in self.web.handlers:
            return False
        params = [a.arg for a in [*helper.args.posonlyargs, *helper.args.args]]
        if params[:1] in (["self"], ["cls"]) and isinstance(func, ast.Attribute):
            params = params[1:]
        passed = [(params[i], a) for i, a in enumerate(call.args) if i < len(params)]
        passed.extend((kw.arg, kw.value) for kw in call.keywords if kw.arg)
        for param, arg in passed:
            if self._expr(arg, names) and self._returns(helper, param):
                return True
        # "" stands for request data the helper reads itself (``self.path``, ``request``).
        return self._returns(helper, "")

    def _returns(self, helper: FunctionNode, param: str) -> bool:
        """Whether request data in ``param`` ("" for none) reaches ``helper``'s result."""
        key = (helper, param)
        known = self._returns_cache.get(key)
        if known is None:
            self._returns_cache[key] = False  # a recursion guard while computing
            values = [
                node.value
                for node in ast.walk(helper)
                if isinstance(node, ast.Return) and node.value is not None
            ]
            names: frozenset[str] | set[str] = set()
            if values:
                names = self._propagate(helper, {param} if param else set())
            known = any(self._expr(v, names) for v in values)
            self._returns_cache[key] = known
        return known


def through(message: str, site: ast.AST, sink: ast.AST, scope: FunctionNode | None) -> str:
    """The message of a finding reported at ``site``; at a caller it names the helper."""
    if site is sink or scope is None:
        return message
    return f"{message}, through {scope.name}() (line {getattr(sink, 'lineno', 0)})"


def _bound(target: ast.AST) -> set[str]:
    """The names an assignment to ``target`` taints: ``self.object = ...`` taints
    ``self.object``, not ``self`` (every attribute of the view)."""
    found: set[str] = set()
    for node in ast.walk(target):
        if isinstance(node, ast.Attribute) and _self_attribute(node):
            found.add(_self_attribute(node))
        elif isinstance(node, ast.Name) and node.id not in ("self", "cls"):
            found.add(node.id)
    return found


def _self_attribute(node: ast.Attribute) -> str:
    """``self.object`` -> ``"self.object"``; anything else -> ``""``."""
    if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
        return f"{node.value.id}.{node.attr}"
    return ""


def _is_request(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return node.id in _REQUEST_NAMES
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "request"
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def _last(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Subscript):
        return _last(node.value)
    return ""
