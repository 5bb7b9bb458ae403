"""``backend-agent update``: re-apply an edited spec to a generated project."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from backend_agent.cli.output import print_delivery, progress_printer

if TYPE_CHECKING:
    from backend_agent.figures import Delivery
    from backend_agent.update import UpdatePlan

__all__ = ["register"]

_STYLE = {"conflicted": "bold red", "merged": "cyan", "updated": "green", "added": "green"}


def update_command(
    project: Annotated[Path, typer.Argument(help="A project made by backend-agent build.")],
    spec: Annotated[
        Path | None, typer.Option("--spec", help="The edited spec (default: the recorded one).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the plan; write nothing.")
    ] = False,
    allow_drop: Annotated[
        bool, typer.Option("--allow-drop", help="Allow removing fields or entities (drops data).")
    ] = False,
    skip_verify: Annotated[
        bool, typer.Option("--no-verify", help="Do not re-run the gates.")
    ] = False,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Also verify on this PostgreSQL database.")
    ] = None,
    no_live: Annotated[
        bool,
        typer.Option("--no-live", help="Skip the live gates (seed, load, contract, probes)."),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print one JSON object: the plan (files, migration, conflicts), whether "
            "it was applied, and the verify delivery (null when verify did not run).",
        ),
    ] = False,
) -> None:
    """Merge a changed spec (or newer templates) into a project, keeping your edits."""
    from backend_agent.update import apply_update, plan_update

    console = Console(stderr=as_json, soft_wrap=True)
    plan = plan_update(project, spec_path=spec, allow_drop=allow_drop)
    table = Table(title="Update plan" + (" (dry run: nothing written)" if dry_run else ""))
    table.add_column("file")
    table.add_column("action")
    table.add_column("note")
    for change in plan.changes:
        style = _STYLE.get(change.action, "yellow")
        table.add_row(change.path, f"[{style}]{change.action}[/]", change.note)
    console.print(table if plan.changes else "no file changes")
    if plan.migration.operations:
        console.print(f"migration {plan.revision_file}:")
        for operation in plan.migration.operations:
            console.print(f"  - {operation}", highlight=False)
    if dry_run:
        if as_json:
            _print_json(plan, applied=False, delivery=None)
        return
    apply_update(plan)
    if plan.conflicts:
        console.print(
            f"[bold red]{len(plan.conflicts)} file(s) have conflict markers[/]: "
            + ", ".join(plan.conflicts)
            + "; resolve them, then run backend-agent verify",
            highlight=False,
        )
        if as_json:
            _print_json(plan, applied=True, delivery=None)
        raise typer.Exit(1)
    if skip_verify:
        if as_json:
            _print_json(plan, applied=True, delivery=None)
        return
    from backend_agent.pipeline import live_settings, recorded_blueprint
    from backend_agent.verify import verify

    delivery = verify(
        project,
        database_url=database_url,
        progress=None if as_json else progress_printer(Console(stderr=True, soft_wrap=True)),
        live=None if no_live else live_settings(recorded_blueprint(project)),
    )
    if as_json:
        _print_json(plan, applied=True, delivery=delivery)
    else:
        print_delivery(delivery, as_json=False)
    if delivery.exit_code:
        raise typer.Exit(delivery.exit_code)


def _print_json(plan: UpdatePlan, *, applied: bool, delivery: Delivery | None) -> None:
    """The plan, whether it was written, and the delivery, as one JSON object on stdout."""
    document = {
        "plan": {
            "changes": [{"path": c.path, "action": c.action, "note": c.note} for c in plan.changes],
            "migration": {
                "file": plan.revision_file,
                "operations": list(plan.migration.operations),
            },
            "conflicts": list(plan.conflicts),
        },
        "applied": applied,
        "delivery": None if delivery is None else delivery.model_dump(mode="json"),
    }
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


def register(app: typer.Typer) -> None:
    """Add ``update`` to ``app``."""
    app.command("update")(update_command)
