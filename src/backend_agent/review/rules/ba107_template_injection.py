"""BA107 template-injection."""

from __future__ import annotations

from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._syntax import argument
from backend_agent.review._taint import Taint

__all__ = ["TemplateInjection"]

_SINKS = {
    "render_template_string": ("flask.render_template_string", "render_template_string"),
    "Template": ("jinja2.Template", "django.template.Template", "mako.template.Template",
                 "Template"),
    "from_string": (),
}  # fmt: skip


@register
class TemplateInjection(Rule):
    """Find templates whose source text comes from the request.

    What it finds:
        ``render_template_string``, ``jinja2.Template``, ``Environment.from_string``,
        Django ``Template`` and Mako ``Template`` given template *source* that holds
        request data. Passing request data as template *variables* is fine.

    Why it matters:
        Template syntax is code: ``{{ cycler.__init__.__globals__.os.popen('id').read() }}``
        in a name field runs commands on the server (server-side template injection).

    Example::

        name = request.args.get("name", "")
        return render_template_string(f"<h1>Hello {name}</h1>")

    Fix::

        return render_template_string("<h1>Hello {{ name }}</h1>", name=name)
    """

    code = "BA107"
    name = "template-injection"
    category = "ssti"
    severity = Level.HIGH
    confidence = Level.HIGH
    fix = "Keep template source constant and pass request data as render variables."

    def check(self, module: Module) -> Iterator[Finding]:
        taint = module.memo(Taint)
        for name, qualified_names in _SINKS.items():
            for call in module.calls.get(name, []):
                qualified = module.qualname(call.func) or ""
                if qualified_names and qualified not in qualified_names:
                    continue
                source = argument(call, 0, "source")
                scope = module.function_of(call)
                if source is not None and scope is not None and taint.tainted(source, scope):
                    yield self.finding(
                        module, call, f"{name}() compiles template source built from the request"
                    )
