"""``backend-agent audit URL``: load, contract and security probes against a running API."""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bars

from backend_agent.cli.output import print_delivery
from backend_agent.errors import GateError
from backend_agent.verify.live import Progress
from backend_agent.verify.live.credentials import basic_account, header_account, token_account

__all__ = ["LiveGate", "progress_bars", "register"]


class LiveGate(enum.StrEnum):
    """The live gates ``--gate`` can choose (an enum, so help lists them as choices)."""

    SEED = "seed"
    LOAD = "load"
    CONTRACT = "contract"
    SECURITY = "security"


@contextlib.contextmanager
def progress_bars(console: Console) -> Iterator[Progress]:
    """A live-gate progress callback drawing one rich bar per task on ``console``."""
    bars = Bars(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    tasks: dict[str, TaskID] = {}

    def update(task: str, done: float, total: float | None) -> None:
        if task not in tasks:
            tasks[task] = bars.add_task(task, total=total)
        bars.update(tasks[task], completed=done, total=total)

    with bars:
        yield update


def audit_command(
    url: Annotated[str, typer.Argument(help="The API's base URL on this machine.")],
    openapi: Annotated[
        str | None,
        typer.Option(
            help="The OpenAPI document: a URL or a JSON/YAML file. [default: URL/openapi.json]"
        ),
    ] = None,
    token: Annotated[
        list[str] | None,
        typer.Option(
            "--token",
            help="A bearer token, as TOKEN or ROLE:TOKEN; repeat for more users. The first is used "
            "for the contract run and authenticated load (and is revoked if the API has a logout, "
            "fuzzed last). Also read from $BACKEND_AGENT_AUDIT_TOKENS (space-separated).",
            envvar="BACKEND_AGENT_AUDIT_TOKENS",
        ),
    ] = None,
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header",
            help="A credential sent as a header, '[ROLE=]Name: value' (an API key, say); repeat "
            "for more users.",
        ),
    ] = None,
    basic: Annotated[
        list[str] | None,
        typer.Option("--basic", help="HTTP Basic credentials, '[ROLE=]user:password'; repeat."),
    ] = None,
    oauth2_password: Annotated[
        list[str] | None,
        typer.Option(
            "--oauth2-password",
            help="'[ROLE=]user:password' logged in through the OAuth2 password flow the "
            "document declares (its tokenUrl); repeat.",
        ),
    ] = None,
    oauth2_client: Annotated[
        list[str] | None,
        typer.Option(
            "--oauth2-client",
            help="'[ROLE=]client_id:secret' through the document's OAuth2 client-credentials "
            "flow; repeat.",
        ),
    ] = None,
    plan: Annotated[
        Path | None,
        typer.Option(help="A probe plan (JSON): roles per operation, owner checks, login."),
    ] = None,
    report_dir: Annotated[
        Path, typer.Option("--report-dir", help="Where the raw artifacts and report.html go.")
    ] = Path("backend-agent-audit"),
    seed_rows: Annotated[int, typer.Option(help="Rows to create in the main collection.")] = 100,
    load_seconds: Annotated[float, typer.Option(help="Load duration per endpoint.")] = 5.0,
    connections: Annotated[int, typer.Option(help="Load connections (at most 64).")] = 32,
    max_requests: Annotated[int, typer.Option(help="Request bound per endpoint.")] = 200_000,
    contract_examples: Annotated[int, typer.Option(help="Cases per operation and phase.")] = 25,
    contract_budget: Annotated[
        float, typer.Option(help="Seconds before schemathesis is stopped.")
    ] = 900.0,
    max_p95_ms: Annotated[float, typer.Option(help="The p95 gate, per endpoint.")] = 100.0,
    max_error_rate: Annotated[float, typer.Option(help="The error-rate gate (0..1).")] = 0.01,
    min_contract_cases: Annotated[
        int,
        typer.Option(
            help="Fewest contract cases to pass, over all operations (every operation must be "
            "sent cases either way)."
        ),
    ] = 0,
    allow_writes: Annotated[
        bool,
        typer.Option(
            "--allow-writes",
            help="Create rows through the API: seed the main collection and load its create "
            "operation. Without it the seed gate and write load are skipped; contract cases and "
            "probes still send the writes they need to check validation and access.",
        ),
    ] = False,
    gate: Annotated[
        list[LiveGate] | None,
        typer.Option("--gate", help="Run only this gate; repeat for more. The rest are skipped."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print machine-readable JSON only.")
    ] = False,
) -> None:
    """Seed, probe, load and fuzz a running API.

    Exit 0 when every gate that ran passed, 1 when one failed (findings), 3 when a gate
    that was asked for could not be measured.
    """
    from backend_agent.verify.live import LIVE_GATES, LiveOptions, LiveThresholds, ProbePlan, audit

    options = LiveOptions(
        seed_rows=seed_rows, load_seconds=load_seconds, load_connections=connections,
        load_max_requests=max_requests, contract_max_examples=contract_examples,
        contract_budget_seconds=contract_budget,
        gates=tuple(g.value for g in gate) if gate else LIVE_GATES,
        load_every_get=True, allow_writes=allow_writes,
    )  # fmt: skip
    thresholds = LiveThresholds(
        max_p95_ms=max_p95_ms, max_error_rate=max_error_rate, min_contract_cases=min_contract_cases
    )
    try:
        accounts = [
            *(token_account(text, i) for i, text in enumerate(token or [], 1)),
            *(header_account(text, i) for i, text in enumerate(header or [], 1)),
            *(basic_account(text, i) for i, text in enumerate(basic or [], 1)),
        ]
    except GateError as exc:
        raise typer.BadParameter(str(exc)) from None
    logins = [("password", text) for text in oauth2_password or []]
    logins += [("clientCredentials", text) for text in oauth2_client or []]
    console = Console(stderr=True)
    with contextlib.ExitStack() as stack:
        progress: Progress | None = None
        if not as_json:
            progress = stack.enter_context(progress_bars(console))
        delivery = audit(
            url,
            openapi=openapi or url.rstrip("/") + "/openapi.json",
            accounts=accounts,
            oauth2_logins=logins,
            plan=ProbePlan.load(plan) if plan else None,
            options=options,
            thresholds=thresholds,
            report_dir=report_dir,
            progress=progress,
        )
    print_delivery(delivery, as_json=as_json)
    if not as_json:
        console.print(f"report: {report_dir / 'report.html'}", highlight=False)
    if delivery.exit_code:
        raise typer.Exit(delivery.exit_code)


def register(app: typer.Typer) -> None:
    """Add ``audit`` to ``app``."""
    app.command("audit")(audit_command)
