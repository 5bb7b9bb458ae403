"""The ``backend-agent`` command line.

Each command lives in its own module and registers itself on ``app``; this
module only turns user errors into one clear message and an exit code.

Exit codes: 0 success; 1 a gate or check failed; 2 a user error (bad spec,
bad arguments, unsafe output); 3 a gate could not be run.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from backend_agent._version import __version__
from backend_agent.errors import BackendAgentError

__all__ = ["app", "main"]

app = typer.Typer(
    name="backend-agent",
    help="Design, generate and verify backend services; report only what was measured.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"backend-agent {__version__}\n")
        raise typer.Exit()


@app.callback()
def _options(
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            is_eager=True,
            callback=_print_version,
        ),
    ] = False,
) -> None:
    """Design, generate and verify backend services; report only what was measured."""


def _register() -> None:
    from backend_agent.cli import agent, audit, core, review, update

    core.register(app)
    update.register(app)
    review.register(app)
    audit.register(app)
    agent.register(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user errors become one message on stderr and a non-zero exit."""
    _register()
    try:
        app(args=argv)
    except BackendAgentError as exc:
        message = escape(str(exc))
        Console(stderr=True, soft_wrap=True).print(
            f"[bold red]error:[/] {message}", highlight=False
        )
        sys.exit(exc.exit_code)
