"""BA106 code-injection."""

from __future__ import annotations

from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._strings import Kind, StringFlow
from backend_agent.review._syntax import argument
from backend_agent.review._taint import Taint

__all__ = ["CodeInjection"]


@register
class CodeInjection(Rule):
    """Find ``eval``/``exec`` of text that comes from the request or is built at run time.

    What it finds:
        ``eval()``, ``exec()`` and ``compile()`` called on request data, or on a
        string built with an f-string, ``%``, ``+`` or ``.format``. Literal code and
        ``ast.literal_eval`` are not reported.

    Why it matters:
        ``eval`` runs any Python expression: ``__import__('os').system('...')``
        typed into a calculator field runs on the server.

    Example::

        result = eval(request.args["expression"])

    Fix::

        result = ast.literal_eval(request.args["expression"])  # literals only
    """

    code = "BA106"
    name = "code-injection"
    category = "code_injection"
    severity = Level.HIGH
    confidence = Level.HIGH
    fix = "Parse the input (json, ast.literal_eval, a small grammar) instead of evaluating it."

    def check(self, module: Module) -> Iterator[Finding]:
        taint = module.memo(Taint)
        flow = module.memo(StringFlow)
        for name in ("eval", "exec", "compile"):
            for call in module.calls.get(name, []):
                qualified = module.qualname(call.func)
                if qualified not in (name, f"builtins.{name}"):
                    continue
                source = argument(call, 0, "source")
                scope = module.function_of(call)
                if source is None:
                    continue
                if taint.tainted(source, scope) or flow.analyse(source, scope).kind is Kind.BUILT:
                    yield self.finding(module, call, f"{name}() runs text that is not a literal")
