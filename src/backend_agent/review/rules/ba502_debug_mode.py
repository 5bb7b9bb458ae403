"""BA502 debug-mode."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._syntax import const_str, dotted, is_true, keyword
from backend_agent.review._web import Web

__all__ = ["DebugMode"]


def _development_settings(module: Module) -> bool:
    """``settings/dev.py``, ``settings/test.py``: the settings of a developer's own
    machine, where debug is meant to be on (production reads ``settings/production``)."""
    parts = module.name.split(".")
    return (
        len(parts) > 1
        and parts[-2] == "settings"
        and parts[-1] in ("dev", "devel", "development", "test", "testing")
    )


def _app(module: Module, target: ast.Attribute) -> bool:
    """``app.debug``: the object is a web app (or named like one), not any class's flag."""
    owner = dotted(target.value) or ""
    return owner in module.memo(Web).owners or owner.rpartition(".")[2] in ("app", "application")


_SETTINGS_MARKERS = (
    "INSTALLED_APPS", "MIDDLEWARE", "ALLOWED_HOSTS", "ROOT_URLCONF", "DATABASES", "SECRET_KEY",
    "TEMPLATES", "STATIC_URL", "WSGI_APPLICATION",
)  # fmt: skip


@register
class DebugMode(Rule):
    """Find web apps started or configured with debug mode on.

    What it finds:
        ``app.run(debug=True)``, ``app.debug = True``, ``app.config["DEBUG"] = True``,
        ``FastAPI(debug=True)``/``Starlette(debug=True)``, ``uvicorn.run(debug=True)``,
        ``run_simple(use_debugger=True)``, aiohttp's ``web.Application(debug=True)``
        and ``DEBUG = True`` in a Django settings
        module (one that also sets ``INSTALLED_APPS``, ``MIDDLEWARE``...), except
        a development one (``settings/dev.py``, ``settings/test.py``).

    Why it matters:
        Debug mode shows tracebacks, settings and SQL to anyone who triggers an
        error; Werkzeug's debugger even gives them a Python console on the server.

    Example::

        if __name__ == "__main__":
            app.run(host="0.0.0.0", debug=True)

    Fix::

        if __name__ == "__main__":
            app.run(host="0.0.0.0", debug=os.environ.get("FLASK_DEBUG") == "1")
    """

    code = "BA502"
    name = "debug-mode"
    category = "debug_mode"
    severity = Level.HIGH
    confidence = Level.HIGH
    fix = "Read debug from the environment and default it to off."

    def check(self, module: Module) -> Iterator[Finding]:
        for name in ("run", "FastAPI", "Starlette", "Flask", "run_simple", "update", "Application"):
            for call in module.calls.get(name, []):
                if name == "Application" and not (module.qualname(call.func) or "").startswith(
                    "aiohttp."
                ):
                    continue
                for flag in ("debug", "use_debugger", "DEBUG"):
                    value = keyword(call, flag)
                    if value is not None and is_true(value):
                        if name == "update" and flag != "DEBUG":
                            continue
                        yield self.finding(module, call, f"{name}() is called with {flag}=True")
        for node in module.assigns:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not is_true(node.value):
                continue
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "debug"
                    and _app(module, target)
                ):
                    yield self.finding(module, node, "debug is switched on")
                elif isinstance(target, ast.Subscript) and const_str(target.slice) == "DEBUG":
                    yield self.finding(module, node, "DEBUG is switched on in the app config")
                elif (
                    isinstance(target, ast.Name)
                    and target.id == "DEBUG"
                    and isinstance(module.parent(node), ast.Module)
                    and (
                        any(m in module.top_values for m in _SETTINGS_MARKERS)
                        or "settings" in module.name.rpartition(".")[2]
                    )
                    and not _development_settings(module)
                ):
                    yield self.finding(module, node, "DEBUG = True in Django settings")
