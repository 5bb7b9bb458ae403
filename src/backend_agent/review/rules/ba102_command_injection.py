"""BA102 command-injection."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._strings import Kind, StringFlow
from backend_agent.review._syntax import anchor, argument, const_str, is_true, keyword
from backend_agent.review._taint import Taint, through

__all__ = ["CommandInjection"]

_SHELL_ALWAYS = frozenset(
    {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput",
     "asyncio.create_subprocess_shell", "commands.getoutput", "os.popen2", "os.popen3"}
)  # fmt: skip
_SUBPROCESS = frozenset(
    {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
     "subprocess.Popen", "asyncio.create_subprocess_exec", "os.execl", "os.execlp",
     "os.execv", "os.execvp", "os.spawnl", "os.spawnv"}
)  # fmt: skip
_SHELLS = frozenset({"sh", "bash", "/bin/sh", "/bin/bash", "zsh", "cmd", "cmd.exe", "powershell"})


@register
class CommandInjection(Rule):
    """Find shell commands built from run-time values.

    What it finds:
        ``os.system``, ``os.popen``, ``subprocess.*(..., shell=True)``,
        ``asyncio.create_subprocess_shell`` and ``sh -c`` argument lists whose
        command is not a constant: built from run-time values (f-string, ``%``,
        ``+``, ``.format``), taken from the request, or passed in by the caller.
        Values passed through ``shlex.quote`` and argument lists without a shell
        are not reported; commands built from a click or typer command's own
        options (the operator's input) are low confidence.

    Why it matters:
        The shell reads ``;``, ``&&``, ``$(...)`` and backticks in the value as
        new commands, so a file name like ``x; rm -rf /`` runs on the server with
        the service's rights.

    Example::

        os.system(f"convert {filename} out.png")
        subprocess.run("ping -c 1 " + host, shell=True)

    Fix::

        subprocess.run(["convert", filename, "out.png"], check=True)
        subprocess.run(["ping", "-c", "1", host], check=True, timeout=10)
    """

    code = "BA102"
    name = "command-injection"
    category = "command_injection"
    severity = Level.HIGH
    confidence = Level.HIGH
    fix = "Pass an argument list without shell=True, or quote each value with shlex.quote()."

    def check(self, module: Module) -> Iterator[Finding]:
        if not module.imports_from("os", "subprocess", "asyncio", "commands"):
            return
        flow = module.memo(StringFlow)
        taint = module.memo(Taint)
        for name in ("system", "popen", "getoutput", "getstatusoutput", "create_subprocess_shell",
                     "run", "call", "check_call", "check_output", "Popen",
                     "create_subprocess_exec", "execl", "execlp", "execv", "execvp",
                     "spawnl", "spawnv", "popen2", "popen3"):  # fmt: skip
            for call in module.calls.get(name, []):
                qualified = module.qualname(call.func) or ""
                command = _command(call, qualified)
                if command is None:
                    continue
                scope = module.function_of(call)
                kind = flow.analyse(command, scope).kind
                if kind is Kind.CONST:
                    continue
                user = taint.tainted(command, scope)
                # A command-line tool's options come from the operator, who has a shell
                # already: kept, but as a heuristic.
                sure = Level.HIGH if kind is Kind.BUILT or user else Level.MEDIUM
                if not user and _cli_command(module, scope):
                    sure = Level.LOW
                message = f"{qualified}() runs a shell command built from a run-time value"
                at = anchor(call, command)
                for site in taint.sites(command, scope, at) if user else [at]:
                    yield self.finding(
                        module,
                        site,
                        through(message, site, at, scope),
                        confidence=sure,
                    )


def _cli_command(module: Module, scope: ast.AST | None) -> bool:
    """Whether ``scope`` is a click/typer command (``@click.option``, ``@app.command()``,
    ``@cli.command("name")``) in a module that imports a command-line framework."""
    if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    if not module.imports_from("click", "typer", "flask.cli"):
        return False
    for decorator in scope.decorator_list:
        func = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in _CLI_DECORATORS:
            return True
    return False


_CLI_DECORATORS = frozenset({"command", "option", "argument", "group", "pass_context"})


def _command(call: ast.Call, qualified: str) -> ast.expr | None:
    first = argument(call, 0, "args") or argument(call, 0, "cmd") or argument(call, 0, "command")
    if first is None:
        return None
    if qualified in _SHELL_ALWAYS:
        return first
    if qualified not in _SUBPROCESS:
        return None
    if is_true(keyword(call, "shell")):
        if isinstance(first, ast.List | ast.Tuple):
            return first.elts[0] if first.elts else None
        return first
    items = first.elts if isinstance(first, ast.List | ast.Tuple) else list(call.args)
    words = [const_str(e) for e in items]
    if (
        len(items) >= 3
        and (words[0] or "").rsplit("/", 1)[-1] in _SHELLS
        and words[1]
        in (
            "-c",
            "/c",
            "-Command",
        )
    ):
        return items[2]
    return None
