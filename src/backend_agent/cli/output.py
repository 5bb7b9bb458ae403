"""How results look on a terminal, and as JSON."""

from __future__ import annotations

import sys
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from backend_agent.figures import Delivery

__all__ = ["print_delivery", "progress_printer"]

_STATUS_STYLE = {
    "passed": "green",
    "failed": "bold red",
    "not_measured": "yellow",
    "skipped": "dim",
}
_DELIVERY_STYLE = {"completed": "bold green", "failed": "bold red", "incomplete": "bold yellow"}


def progress_printer(console: Console) -> Callable[[str], None]:
    """A progress callback that prints one line per step."""

    def say(message: str) -> None:
        console.print(f"[dim]->[/] {message}", highlight=False)

    return say


def print_delivery(delivery: Delivery, *, as_json: bool) -> None:
    """Print the delivery message: JSON on stdout, or a summary for people."""
    if as_json:
        sys.stdout.write(delivery.model_dump_json(indent=2) + "\n")
        return
    console = Console()
    gates = Table(title="Gates", show_lines=False)
    gates.add_column("gate")
    gates.add_column("status")
    gates.add_column("detail", overflow="fold")
    for gate in delivery.gates:
        style = _STATUS_STYLE[gate.status]
        gates.add_row(gate.name, f"[{style}]{gate.status.replace('_', ' ')}[/]", gate.message)
    console.print(gates)
    figures = Table(title="Figures (each from a command that ran)")
    figures.add_column("figure")
    figures.add_column("value", justify="right")
    figures.add_column("evidence", overflow="fold")
    for name, figure in delivery.figures.items():
        evidence = figure.artifact or figure.note or ""
        if figure.exit_code is not None:
            evidence = f"{evidence} (exit {figure.exit_code})"
        figures.add_row(name, figure.display(), evidence)
    console.print(figures)
    style = _DELIVERY_STYLE[delivery.status]
    console.print(f"[{style}]{delivery.status}[/]: {delivery.summary}", highlight=False)
    if delivery.artifacts_dir:
        console.print(f"raw output and commands: {delivery.artifacts_dir}", highlight=False)
