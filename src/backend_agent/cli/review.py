"""The reviewer's commands: ``review`` and ``rules``."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from backend_agent.review import (
    Level,
    ReviewError,
    default_cache_dir,
    doc_sections,
    list_rules,
    load_config,
    render_json,
    render_sarif,
    render_text,
    review,
)

__all__ = ["register"]


class OutputFormat(enum.StrEnum):
    """How ``review`` prints its findings."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


PathArg = Annotated[
    Path, typer.Argument(help="A Python file or a folder to review.", show_default=False)
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
FailOnOpt = Annotated[
    Level | None,
    typer.Option(
        "--fail-on",
        help="Exit 1 when a finding of this severity or higher exists "
        "(default: fail-on from pyproject.toml, else low).",
        show_default=False,
    ),
]
ConfidenceOpt = Annotated[
    Level | None,
    typer.Option(
        "--min-confidence",
        help="Print and count (for --fail-on) only findings this sure or surer; "
        "findings resting on a heuristic alone are low "
        "(default: min-confidence from pyproject.toml, else medium).",
        show_default=False,
    ),
]
CodesOpt = Annotated[
    str | None,
    typer.Option(help="Comma-separated rule codes, code prefixes, names or categories."),
]
ExcludeOpt = Annotated[
    list[str] | None, typer.Option("--exclude", help="Glob of files or folders to skip.")
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the report to a file.")
]
CacheOpt = Annotated[
    bool,
    typer.Option(
        "--cache/--no-cache",
        help="Reuse the results of unchanged files from the user cache folder "
        "($XDG_CACHE_HOME/backend-agent/review).",
    ),
]
JobsOpt = Annotated[int | None, typer.Option(help="Worker processes (default: one per CPU).")]


def _codes(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [c.strip() for c in value.split(",") if c.strip()]


def review_command(
    path: PathArg,
    output_format: FormatOpt = OutputFormat.TEXT,
    fail_on: FailOnOpt = None,
    select: CodesOpt = None,
    ignore: CodesOpt = None,
    exclude: ExcludeOpt = None,
    output: OutputOpt = None,
    jobs: JobsOpt = None,
    min_confidence: ConfidenceOpt = None,
    cache: CacheOpt = True,
) -> None:
    """Review Python backend code for security, data-access and resilience problems.

    Exit codes: 0 no finding at or above --fail-on (and --min-confidence); 1 some;
    2 a user error. Text shows findings of --min-confidence or more; JSON and SARIF
    hold every finding with its confidence.
    Suppress one finding with a ``# noqa: BA101`` comment on its line.
    """
    if not path.exists():
        raise ReviewError(f"{path} does not exist")
    config = load_config(path)
    findings = review(
        path,
        select=_codes(select),
        ignore=_codes(ignore),
        exclude=exclude or (),
        config=config,
        jobs=jobs,
        on_error=lambda message: typer.echo(f"warning: {message}", err=True),
        cache=default_cache_dir() if cache else None,
    )
    sure = min_confidence or config.min_confidence
    counted = [f for f in findings if f.confidence >= sure]
    if output_format is OutputFormat.JSON:
        report = render_json(findings)
    elif output_format is OutputFormat.SARIF:
        report = render_sarif(findings, root=path if path.is_dir() else path.parent)
    else:
        report = render_text(counted, hidden=len(findings) - len(counted))
    if output is not None:
        output.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    threshold = fail_on or config.fail_on
    if any(f.severity >= threshold for f in counted):
        raise typer.Exit(1)


def rules_command(
    explain: Annotated[
        str | None, typer.Option(help="Print the documentation of one rule code.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rules as JSON.")] = False,
) -> None:
    """List the review rules, or explain one."""
    infos = list_rules()
    if explain is not None:
        wanted = explain.strip().upper()
        match = [info for info in infos if info.code == wanted or info.name == explain.strip()]
        if not match:
            raise ReviewError(f"unknown rule {explain!r}; `backend-agent rules` lists them")
        info = match[0]
        sections = doc_sections(info.doc)
        typer.echo(f"{info.code} {info.name} ({info.category}, severity {info.severity}, "
                   f"confidence {info.confidence})\n")  # fmt: skip
        typer.echo(info.summary + "\n")
        typer.echo(
            "Confidence: a finding's own confidence may be lower than the rule's when it "
            "rests on a heuristic alone (a name, a neighbour's auth); low-confidence "
            "findings are hidden from text output and from --fail-on unless "
            "--min-confidence low is given.\n"
        )
        for title, body in sections.items():
            typer.echo(f"{title}:")
            typer.echo("\n".join(f"    {line}" if line else "" for line in body.splitlines()))
            typer.echo("")
        return
    if as_json:
        rows = [i.listing() for i in infos]
        typer.echo(json.dumps(rows, indent=2))
        return
    width = max(len(i.name) for i in infos)
    cat_width = max(len(i.category) for i in infos)
    for i in infos:
        columns = f"{i.code}  {i.name:<{width}}  {i.category:<{cat_width}}  {i.severity!s:<6}"
        typer.echo(f"{columns}  {i.summary}")


def register(app: typer.Typer) -> None:
    """Add the ``review`` and ``rules`` commands to ``app``."""
    app.command("review")(review_command)
    app.command("rules")(rules_command)
