"""The main-job commands: init, schema, design, build, verify."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from backend_agent.cli.output import print_delivery, progress_printer
from backend_agent.errors import OutputError
from backend_agent.verify.live import Progress as LiveProgress

__all__ = ["register"]

SpecArg = Annotated[Path, typer.Argument(help="The service spec (YAML).", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Also run the tests and migrations on this PostgreSQL database "
        "(e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/scratch).",
    ),
]
RedisOpt = Annotated[
    str | None,
    typer.Option(
        "--redis-url",
        help="Run the PostgreSQL tests (the SQLite ones without --database-url) with rate "
        "limits counted in this Redis, e.g. redis://127.0.0.1:6379/5; the tests that need "
        "Redis run instead of being skipped.",
    ),
]
JobsEngineOpt = Annotated[
    Literal["table", "pgqueuer"] | None,
    typer.Option(
        "--jobs-engine",
        help="Run the PostgreSQL tests with this JOBS_ENGINE (table or pgqueuer); with "
        "pgqueuer the tests of that engine run instead of being skipped.",
    ),
]
MinCoverage = Annotated[float, typer.Option(help="The coverage gate, in percent.")]
NoLiveOpt = Annotated[
    bool, typer.Option("--no-live", help="Skip the live gates (seed, load, contract, probes).")
]
SeedRowsOpt = Annotated[int, typer.Option(help="Rows seeded through the API before the load.")]
LoadSecondsOpt = Annotated[float, typer.Option(help="Seconds of load per endpoint.")]
MaxP95Opt = Annotated[float, typer.Option(help="The p95 latency gate, in milliseconds.")]
DesignFormat = Literal["all", "ddl-sqlite", "ddl-postgresql", "openapi", "architecture"]


@contextlib.contextmanager
def _live_progress(console: Console, *, quiet: bool) -> Iterator[LiveProgress | None]:
    """Progress bars for the live gates, or none with --json."""
    if quiet:
        yield None
        return
    from backend_agent.cli.audit import progress_bars

    with progress_bars(console) as bars:
        yield bars


def _write_new(path: Path, text: str, *, force: bool) -> None:
    if path.exists() and not force:
        raise OutputError(f"{path} already exists; pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def init(
    name: Annotated[str, typer.Argument(help="The service name.")] = "service",
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write.")] = Path(
        "spec.yaml"
    ),
    force: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
) -> None:
    """Write a commented starter spec."""
    from backend_agent.spec import starter_spec

    _write_new(output, starter_spec(name), force=force)
    Console(stderr=True, soft_wrap=True).print(
        f"wrote {output}; next: backend-agent build {output} -o {name}"
    )


def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
) -> None:
    """Print the JSON Schema of the spec format (for editor completion)."""
    from backend_agent.spec import spec_json_schema

    text = json.dumps(spec_json_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        _write_new(output, text, force=True)


def design_command(
    spec: SpecArg,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write every document into this folder.")
    ] = None,
    fmt: Annotated[
        DesignFormat, typer.Option("--format", "-f", help="Which document to print or write.")
    ] = "all",
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the design as JSON only: service, auth, entities with their fields, "
            "relations and permissions, operations, the initial migration, decisions.",
        ),
    ] = False,
) -> None:
    """Design the schema and the API: DDL for SQLite and PostgreSQL, OpenAPI, ARCHITECTURE.md."""
    from backend_agent.design import architecture_markdown, ddl, design, openapi_document
    from backend_agent.spec import load_spec

    if as_json and (output is not None or fmt != "all"):
        raise typer.BadParameter("--json prints the summary only; leave out --output and --format")
    blueprint = design(load_spec(spec))
    if as_json:
        from backend_agent.design.summary import design_summary

        sys.stdout.write(json.dumps(design_summary(blueprint), indent=2) + "\n")
        return
    documents = {
        "ddl-sqlite": ("schema.sqlite.sql", ddl(blueprint, "sqlite")),
        "ddl-postgresql": ("schema.postgresql.sql", ddl(blueprint, "postgresql")),
        "openapi": ("openapi.json", json.dumps(openapi_document(blueprint), indent=2) + "\n"),
        "architecture": ("ARCHITECTURE.md", architecture_markdown(blueprint)),
    }
    chosen = documents if fmt == "all" else {fmt: documents[fmt]}
    if output is None:
        for filename, text in chosen.values():
            if len(chosen) > 1:
                sys.stdout.write(f"==> {filename} <==\n")
            sys.stdout.write(text)
        return
    output.mkdir(parents=True, exist_ok=True)
    for filename, text in chosen.values():
        _write_new(output / filename, text, force=True)
    Console(stderr=True, soft_wrap=True).print(
        f"wrote {', '.join(n for n, _ in chosen.values())} to {output}"
    )


def build_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="The project directory.")],
    spec: Annotated[
        Path | None, typer.Argument(help="The service spec (YAML).", show_default=False)
    ] = None,
    from_text: Annotated[
        str | None,
        typer.Option(
            "--from-text",
            help="Describe the service in plain words; the configured LLM writes the spec "
            "(validated and repaired before anything is built).",
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option(help="Replace the contents of a non-empty output directory.")
    ] = False,
    database_url: DbOpt = None,
    redis_url: RedisOpt = None,
    jobs_engine: JobsEngineOpt = None,
    min_coverage: MinCoverage = 90.0,
    skip_verify: Annotated[bool, typer.Option("--no-verify", help="Generate only.")] = False,
    no_live: NoLiveOpt = False,
    seed_rows: SeedRowsOpt = 10_000,
    load_seconds: LoadSecondsOpt = 5.0,
    max_p95_ms: MaxP95Opt = 100.0,
    as_json: JsonOpt = False,
) -> None:
    """Design, generate and verify a service; print what was measured."""
    from backend_agent.pipeline import build
    from backend_agent.verify import LiveOptions, LiveThresholds, Thresholds

    console = Console(stderr=True, soft_wrap=True)
    if (spec is None) == (from_text is None):
        raise typer.BadParameter("give either a SPEC file or --from-text, not both or neither")
    if from_text is not None:
        spec = _spec_from_words(from_text, output)
        console.print(f"the model wrote {spec}; it is also recorded in the project")
    assert spec is not None
    with _live_progress(console, quiet=as_json) as bars:
        delivery = build(
            spec,
            output,
            overwrite=overwrite,
            database_url=database_url,
            redis_url=redis_url,
            jobs_engine=jobs_engine,
            run_verify=not skip_verify,
            live=LiveOptions(seed_rows=seed_rows, load_seconds=load_seconds),
            run_live=not no_live,
            thresholds=Thresholds(min_coverage=min_coverage),
            live_thresholds=LiveThresholds(max_p95_ms=max_p95_ms),
            progress=None if as_json else progress_printer(console),
            live_progress=bars,
        )
    if delivery is None:
        from backend_agent.verify import unverified

        if as_json:
            skipped = unverified(output, "switched off by the user (--no-verify)")
            print_delivery(skipped, as_json=True)
        else:
            console.print(f"generated {output} (not verified: --no-verify)")
        return
    print_delivery(delivery, as_json=as_json)
    if delivery.exit_code:
        raise typer.Exit(delivery.exit_code)


def _spec_from_words(text: str, output: Path) -> Path:
    """Ask the configured model for a spec; write it beside the output directory."""
    from backend_agent.agent import create_model, load_config, spec_from_text

    yaml_text = spec_from_text(text, model=create_model(load_config(Path.cwd())))
    path = output.parent / f"{output.name}.spec.yaml"
    _write_new(path, yaml_text, force=False)
    return path


def verify_command(
    project: Annotated[Path, typer.Argument(help="A generated project directory.")],
    database_url: DbOpt = None,
    redis_url: RedisOpt = None,
    jobs_engine: JobsEngineOpt = None,
    min_coverage: MinCoverage = 90.0,
    no_live: NoLiveOpt = False,
    seed_rows: SeedRowsOpt = 10_000,
    load_seconds: LoadSecondsOpt = 5.0,
    max_p95_ms: MaxP95Opt = 100.0,
    as_json: JsonOpt = False,
) -> None:
    """Run the quality gates on a project and print what they measured."""
    from backend_agent.pipeline import live_settings, recorded_blueprint
    from backend_agent.verify import LiveOptions, LiveThresholds, Thresholds, verify

    console = Console(stderr=True, soft_wrap=True)
    with _live_progress(console, quiet=as_json) as bars:
        live = None
        if not no_live:
            live = live_settings(
                recorded_blueprint(project),
                options=LiveOptions(seed_rows=seed_rows, load_seconds=load_seconds),
                thresholds=LiveThresholds(max_p95_ms=max_p95_ms),
                progress=bars,
            )
        delivery = verify(
            project,
            database_url=database_url,
            redis_url=redis_url,
            jobs_engine=jobs_engine,
            thresholds=Thresholds(min_coverage=min_coverage),
            progress=None if as_json else progress_printer(console),
            live=live,
        )
    print_delivery(delivery, as_json=as_json)
    if delivery.exit_code:
        raise typer.Exit(delivery.exit_code)


def register(app: typer.Typer) -> None:
    """Add the main-job commands to ``app``."""
    app.command("init")(init)
    app.command("schema")(schema)
    app.command("design")(design_command)
    app.command("build")(build_command)
    app.command("verify")(verify_command)
