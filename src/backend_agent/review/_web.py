"""Where the web frameworks keep their routes: FastAPI, Flask, Django, DRF, aiohttp
and the standard library's ``http.server``.

``Web(module).routes`` lists every request handler of a module with its
framework, HTTP methods, URL path and the object it hangs on (an app, a router,
a blueprint); class-based views count as one route whose handlers are methods.
aiohttp handlers are found by ``RouteTableDef`` decorators and by
``app.router.add_get(path, handler)`` registrations; an ``http.server`` request
handler class is one route whose handlers are its ``do_GET``-style methods.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property

from backend_agent.review._module import Module
from backend_agent.review._syntax import FunctionNode, const_str, dotted, keyword

__all__ = ["HANDLER_METHODS", "Route", "Web"]

_VERBS = {"get", "post", "put", "patch", "delete", "head", "options"}
_ROUTE_DECORATORS = _VERBS | {"route", "api_route", "websocket"}
_OWNER_KINDS = {
    "FastAPI": "fastapi",
    "APIRouter": "fastapi",
    "Flask": "flask",
    "Blueprint": "flask",
    "Quart": "flask",
    "RouteTableDef": "aiohttp",
}
_AIOHTTP_ADD = {f"add_{verb}": verb.upper() for verb in ("get", "post", "put", "patch", "delete")}
_AIOHTTP_ADD["add_route"] = ""
_STDLIB_HANDLERS = frozenset(
    {"BaseHTTPRequestHandler", "SimpleHTTPRequestHandler", "CGIHTTPRequestHandler"}
)
HANDLER_METHODS = {
    "get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE",
    "list": "GET", "retrieve": "GET", "create": "POST", "update": "PUT",
    "partial_update": "PATCH", "destroy": "DELETE", "perform_create": "POST",
    "perform_update": "PUT", "perform_destroy": "DELETE", "get_queryset": "GET",
    "form_valid": "POST", "get_object": "GET", "head": "GET", "do_GET": "GET",
    "do_POST": "POST", "do_PUT": "PUT", "do_PATCH": "PATCH", "do_DELETE": "DELETE",
    "do_HEAD": "GET",
}  # fmt: skip
_ALL = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
_VIEW_METHODS: dict[str, frozenset[str]] = {
    "ModelViewSet": _ALL,
    "ReadOnlyModelViewSet": frozenset({"GET"}),
    "ListAPIView": frozenset({"GET"}),
    "RetrieveAPIView": frozenset({"GET"}),
    "CreateAPIView": frozenset({"POST"}),
    "DestroyAPIView": frozenset({"DELETE"}),
    "UpdateAPIView": frozenset({"PUT", "PATCH"}),
    "ListCreateAPIView": frozenset({"GET", "POST"}),
    "RetrieveUpdateAPIView": frozenset({"GET", "PUT", "PATCH"}),
    "RetrieveDestroyAPIView": frozenset({"GET", "DELETE"}),
    "RetrieveUpdateDestroyAPIView": frozenset({"GET", "PUT", "PATCH", "DELETE"}),
    "ListView": frozenset({"GET"}),
    "DetailView": frozenset({"GET"}),
    "TemplateView": frozenset({"GET"}),
    "CreateView": frozenset({"GET", "POST"}),
    "UpdateView": frozenset({"GET", "POST"}),
    "DeleteView": frozenset({"GET", "POST", "DELETE"}),
    "FormView": frozenset({"GET", "POST"}),
}
_DRF_HINTS = ("APIView", "ViewSet", "GenericAPIView")
_VIEW_SUFFIXES = ("View", "ViewSet", "APIView", "Endpoint")


@dataclass(frozen=True)
class Route:
    """One request handler: a decorated function, a Django view, or a view class."""

    node: FunctionNode | ast.ClassDef
    framework: str
    methods: frozenset[str]
    path: str
    owner: str | None
    decorator: ast.Call | None

    @property
    def handlers(self) -> list[FunctionNode]:
        """The functions that run for a request: the function, or the class's methods."""
        if isinstance(self.node, ast.ClassDef):
            return [
                n
                for n in self.node.body
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                and n.name in HANDLER_METHODS
            ]
        return [self.node]


class Web:
    """Routes and request handlers of one module."""

    def __init__(self, module: Module) -> None:
        self.module = module

    @cached_property
    def owners(self) -> dict[str, str]:
        """Local names bound to an app, router or blueprint -> framework."""
        found: dict[str, str] = {}
        for node in self.module.assigns:
            if not isinstance(node.value, ast.Call):
                continue
            name = (self.module.qualname(node.value.func) or "").rpartition(".")[2]
            kind = _OWNER_KINDS.get(name)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if kind and isinstance(target, ast.Name):
                    found[target.id] = kind
        return found

    @cached_property
    def prefixes(self) -> dict[str, str]:
        """Local router/blueprint names -> the URL prefix given to their constructor."""
        found: dict[str, str] = {}
        for node in self.module.assigns:
            if not isinstance(node.value, ast.Call):
                continue
            prefix = const_str(keyword(node.value, "prefix") or keyword(node.value, "url_prefix"))
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if prefix and isinstance(target, ast.Name) and target.id in self.owners:
                    found[target.id] = prefix.rstrip("/")
        return found

    @cached_property
    def routes(self) -> list[Route]:
        """Every route of the module, in source order."""
        module = self.module
        found: list[Route] = []
        is_django = module.imports_from("django", "rest_framework")
        for func in module.functions:
            route = self._decorated(func)
            if route is None and is_django:
                route = self._django_function(func)
            if route is not None:
                found.append(route)
        for cls in module.classes:
            route = self._view_class(cls) or self._stdlib_handler(cls)
            if route is not None:
                found.append(route)
        seen = {r.node for r in found}
        found.extend(r for r in self._registered() if r.node not in seen)
        found.sort(key=lambda r: (r.node.lineno, r.node.col_offset))
        return found

    @cached_property
    def handlers(self) -> dict[FunctionNode, Route]:
        """Each function that serves a request -> its route."""
        return {handler: route for route in self.routes for handler in route.handlers}

    def _decorated(self, func: FunctionNode) -> Route | None:
        for decorator in func.decorator_list:
            if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
                continue
            verb = decorator.func.attr
            if verb not in _ROUTE_DECORATORS:
                continue
            owner = dotted(decorator.func.value)
            path = (
                const_str(decorator.args[0])
                if decorator.args
                else const_str(keyword(decorator, "path") or keyword(decorator, "rule"))
            )
            framework = self.owners.get(owner or "") or self._guess(verb, path)
            if framework is None:
                continue
            return Route(
                node=func,
                framework=framework,
                methods=_methods(verb, decorator),
                path=self.prefixes.get(owner or "", "") + (path or ""),
                owner=owner,
                decorator=decorator,
            )
        return None

    def _guess(self, verb: str, path: str | None) -> str | None:
        if path is None or not (path == "" or path.startswith("/")):
            return None
        if self.module.imports_from("fastapi", "starlette"):
            return "fastapi"
        if self.module.imports_from("flask", "quart"):
            return "flask"
        return "flask" if verb == "route" else None

    def _django_function(self, func: FunctionNode) -> Route | None:
        params = [a.arg for a in func.args.args]
        if not params or params[0] not in ("request", "req") or func.name.startswith("_"):
            return None
        if not isinstance(self.module.parent(func), ast.Module):
            return None
        if not func.decorator_list and not _responds(func):
            return None  # a helper that takes the request, not a view
        methods: set[str] = set()
        framework = "django"
        for decorator in func.decorator_list:
            name = dotted(decorator.func if isinstance(decorator, ast.Call) else decorator) or ""
            last = name.rpartition(".")[2]
            if last in ("api_view", "require_http_methods") and isinstance(decorator, ast.Call):
                framework = "drf" if last == "api_view" else framework
                listed = decorator.args[0] if decorator.args else None
                if isinstance(listed, ast.List | ast.Tuple):
                    methods.update(str(const_str(e)).upper() for e in listed.elts)
                elif last == "api_view":
                    methods.add("GET")
            elif last.startswith("require_") and last[8:].upper() in ("GET", "POST", "SAFE"):
                methods.add("GET" if last[8:].upper() == "SAFE" else last[8:].upper())
        if not methods:
            methods = self._methods_in_body(func)
        return Route(
            node=func,
            framework=framework,
            methods=frozenset(methods),
            path="/" + func.name,
            owner=None,
            decorator=None,
        )

    @staticmethod
    def _methods_in_body(func: FunctionNode) -> set[str]:
        methods = {"GET"}
        for node in ast.walk(func):
            if isinstance(node, ast.Compare) and dotted(node.left) == "request.method":
                methods.update(str(const_str(c)).upper() for c in node.comparators if const_str(c))
            elif (
                isinstance(node, ast.Attribute)
                and node.attr in ("POST", "FILES")
                and dotted(node.value) == "request"
            ):
                methods.add("POST")
        return methods

    def _registered(self) -> list[Route]:
        """aiohttp handlers added with ``app.router.add_get("/path", handler)``."""
        if not self.module.imports_from("aiohttp"):
            return []
        found: dict[FunctionNode, Route] = {}
        for name, verb in _AIOHTTP_ADD.items():
            for call in self.module.calls.get(name, []):
                args = list(call.args)
                if verb == "" and args:
                    verb = str(const_str(args.pop(0)) or "GET").upper()
                if len(args) < 2 or not isinstance(args[1], ast.Name):
                    continue
                handler = self.module.top_functions.get(args[1].id)
                if handler is None or handler in found:
                    continue
                found[handler] = Route(
                    node=handler,
                    framework="aiohttp",
                    methods=frozenset({verb or "GET"}),
                    path=const_str(args[0]) or "",
                    owner=dotted(call.func.value) if isinstance(call.func, ast.Attribute) else None,
                    decorator=None,
                )
        return list(found.values())

    def _stdlib_handler(self, cls: ast.ClassDef) -> Route | None:
        names = {(dotted(b) or "").rpartition(".")[2] for b in cls.bases}
        if not names & _STDLIB_HANDLERS:
            return None
        methods = {
            HANDLER_METHODS[n.name]
            for n in cls.body
            if isinstance(n, ast.FunctionDef)
            and n.name.startswith("do_")
            and n.name in HANDLER_METHODS
        }
        if not methods:
            return None
        return Route(
            node=cls,
            framework="stdlib",
            methods=frozenset(methods),
            path="/" + cls.name,
            owner=None,
            decorator=None,
        )

    def _view_class(self, cls: ast.ClassDef) -> Route | None:
        bases = [dotted(b) or "" for b in cls.bases]
        names = [b.rpartition(".")[2] for b in bases]
        if not any(n.endswith(_VIEW_SUFFIXES) and not n.endswith("Mixin") for n in names):
            return None
        if "MethodView" in names or (names == ["View"] and self.module.imports_from("flask")):
            framework = "flask"
        elif "HTTPEndpoint" in names:
            framework = "fastapi"
        elif any(n.endswith(_DRF_HINTS) for n in names) or self.module.imports_from(
            "rest_framework"
        ):
            framework = "drf"
        elif not self.module.imports_from("django") and any(
            target.startswith("flask") for target in self.module.imports.values()
        ):
            framework = "flask"  # Flask-AppBuilder's and Flask-Admin's view classes
        else:
            framework = "django"
        methods: set[str] = set()
        for name in names:
            methods.update(_VIEW_METHODS.get(name, ()))
        for node in cls.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                method = HANDLER_METHODS.get(node.name)
                if method and node.name in _VERBS | {"create", "update", "destroy"}:
                    methods.add(method)
        if not methods:
            methods = {"GET"}
        return Route(
            node=cls,
            framework=framework,
            methods=frozenset(methods),
            path="/" + cls.name,
            owner=None,
            decorator=None,
        )


_RESPONSES = frozenset(
    {"render", "redirect", "HttpResponse", "JsonResponse", "Response", "FileResponse",
     "StreamingHttpResponse", "TemplateResponse", "HttpResponseRedirect", "render_to_response",
     "HttpResponseNotFound", "HttpResponseForbidden", "HttpResponseBadRequest"}
)  # fmt: skip


def _responds(func: FunctionNode) -> bool:
    """Whether a function returns an HTTP response, as a Django view does."""
    for node in ast.walk(func):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            name = dotted(node.value.func) or ""
            if name.rpartition(".")[2] in _RESPONSES:
                return True
    return False


def _methods(verb: str, decorator: ast.Call) -> frozenset[str]:
    if verb in _VERBS:
        return frozenset({verb.upper()})
    listed = keyword(decorator, "methods")
    if isinstance(listed, ast.List | ast.Tuple | ast.Set):
        found = {str(const_str(e)).upper() for e in listed.elts if const_str(e)}
        if found:
            return frozenset(found)
    return frozenset({"GET"})
