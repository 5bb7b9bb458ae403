"""Django URL configurations whose whole pattern list passes through an auth decorator.

``urlpatterns = decorate_urlpatterns(urlpatterns, require_admin_access)`` protects
every view routed in that list before the statement, and every view of the URL
modules it ``include()``s. When the list also takes patterns from a loop over a
named hook (``hooks.get_hooks("register_admin_urls")``), what the functions
registered under that name route is behind the wrapper too, and views routed
nowhere in the project may be.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from backend_agent.review._auth import looks_like_auth
from backend_agent.review._module import Module
from backend_agent.review._syntax import const_str, keyword

__all__ = ["UrlConf", "guarded_views", "url_conf"]

_URL_FUNCTIONS = frozenset({"path", "re_path", "url"})
_NO_WRAP = 1 << 30


@dataclass(frozen=True)
class UrlConf:
    """What one module routes, and what its auth-wrapped pattern list covers."""

    module: str
    # Views routed by path()/re_path()/url() here, and URL modules include()d here.
    routed: frozenset[str]
    includes: frozenset[str]
    # Those routed or included before the pattern list is wrapped by an auth decorator.
    guarded: frozenset[str] = frozenset()
    guarded_includes: frozenset[str] = frozenset()
    # The wrapped list also takes patterns from a loop (plugins' hooks).
    open_ended: bool = False
    # The string constants of those loops (``hooks.get_hooks("register_admin_urls")``).
    hook_names: frozenset[str] = frozenset()
    # Views and URL modules routed by functions registered under a name
    # (``@hooks.register("register_admin_urls")``): (name, view or module).
    hooked_views: frozenset[tuple[str, str]] = frozenset()
    hooked_includes: frozenset[tuple[str, str]] = frozenset()


def url_conf(module: Module, view_name: Callable[[ast.expr], str]) -> UrlConf | None:
    """The URL configuration of ``module``; ``None`` when it routes nothing."""
    if not module.imports_from("django"):
        return None
    routes = [
        (call.lineno, view_name(view))
        for name in _URL_FUNCTIONS
        for call in module.calls.get(name, [])
        if (view := _view(call)) is not None and not _is_include(view)
    ]
    includes = [
        (call.lineno, target)
        for call in module.calls.get("include", [])
        if (target := _include_target(module, call)) is not None
    ]
    if not routes and not includes:
        return None
    wrap = _wrap_line(module)
    hooked_views, hooked_includes = _hooked(module, view_name)
    common = UrlConf(
        module=module.name,
        routed=frozenset(name for _, name in routes),
        includes=frozenset(target for _, target in includes),
        hooked_views=frozenset(hooked_views),
        hooked_includes=frozenset(hooked_includes),
    )
    if wrap == _NO_WRAP:
        return common
    loops = _loops_extending(module, wrap)
    return replace(
        common,
        guarded=frozenset(name for line, name in routes if line < wrap),
        guarded_includes=frozenset(target for line, target in includes if line < wrap),
        open_ended=bool(loops),
        hook_names=frozenset(
            text for loop in loops for n in ast.walk(loop.iter) if (text := const_str(n))
        ),
    )


def guarded_views(confs: Iterable[UrlConf]) -> set[str]:
    """Views behind a wrapped pattern list, following include() across modules and
    into the functions registered under the hook names the list is extended from."""
    confs = list(confs)
    hooks = {name for conf in confs for name in conf.hook_names}
    views: set[str] = set()
    reached: set[str] = set()
    pending = [t for conf in confs for t in conf.guarded_includes]
    for conf in confs:
        views |= conf.guarded
        views |= {view for hook, view in conf.hooked_views if hook in hooks}
        pending.extend(target for hook, target in conf.hooked_includes if hook in hooks)
    while pending:
        target = pending.pop()
        if target in reached:
            continue
        reached.add(target)
        for conf in confs:
            if conf.module and _same(conf.module, target):
                views |= conf.routed
                pending.extend(conf.includes)
    return views


def _same(a: str, b: str) -> bool:
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def _view(call: ast.Call) -> ast.expr | None:
    return call.args[1] if len(call.args) >= 2 else keyword(call, "view")


def _is_include(view: ast.expr) -> bool:
    return isinstance(view, ast.Call) and _last(view.func) == "include"


def _include_target(module: Module, call: ast.Call) -> str | None:
    """``include(pages_urls)``, ``include((pages_urls, "ns"))``, ``include("app.urls")``."""
    if not call.args:
        return None
    target = call.args[0]
    if isinstance(target, ast.Tuple) and target.elts:
        target = target.elts[0]
    text = const_str(target)
    if text is not None:
        return text
    if isinstance(target, ast.Name | ast.Attribute):
        return module.qualname(target)
    return None


def _wrap_line(module: Module) -> int:
    """The line of the first ``patterns = wrap(patterns, auth_decorator)``; past the end
    of the file when there is none."""
    for stmt in module.tree.body:
        value = stmt.value if isinstance(stmt, ast.Assign | ast.Expr) else None
        if not isinstance(value, ast.Call):
            continue
        names = [_last(a) for a in value.args]
        lists = [n for n in names if "patterns" in n.lower()]
        if lists and any(looks_like_auth(n) for n in names if n not in lists):
            return stmt.lineno
    return _NO_WRAP


def _loops_extending(module: Module, wrap: int) -> list[ast.For]:
    """``for fn in hooks.get_hooks("x"): urlpatterns += fn()`` before the wrap."""
    found = []
    for stmt in module.tree.body:
        if isinstance(stmt, ast.For) and stmt.lineno < wrap and _extends(stmt):
            found.append(stmt)
    return found


def _extends(loop: ast.For) -> bool:
    for node in ast.walk(loop):
        if isinstance(node, ast.AugAssign) and "patterns" in _last(node.target).lower():
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "extend")
            and "patterns" in _last(node.func.value).lower()
        ):
            return True
    return False


def _hooked(
    module: Module, view_name: Callable[[ast.expr], str]
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """What functions registered under a name (``@hooks.register("x")``) route."""
    views: set[tuple[str, str]] = set()
    includes: set[tuple[str, str]] = set()
    for func in module.functions:
        names = [
            text
            for d in func.decorator_list
            if isinstance(d, ast.Call)
            for a in d.args
            if (text := const_str(a))
        ]
        if not names:
            continue
        for node in ast.walk(func):
            if not isinstance(node, ast.Call):
                continue
            if _last(node.func) == "include":
                target = _include_target(module, node)
                includes.update((n, target) for n in names if target)
            elif _last(node.func) in _URL_FUNCTIONS:
                view = _view(node)
                if view is not None and not _is_include(view):
                    views.update((n, view_name(view)) for n in names)
    return views, includes


def _last(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""
