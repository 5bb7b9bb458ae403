"""Lifecycle tools: start a spec (``init``), evolve a project (``update``), audit a live API.

Thin adapters over the same library functions as the CLI commands of those
names; each answers the CLI's ``--json`` as its structured result.
"""

from __future__ import annotations

import enum
from typing import Any

from pydantic import Field

from backend_agent.agent.tools.base import REGISTRY, Effects, ToolArgs, ToolResult, Workspace
from backend_agent.agent.tools.domain import describe_delivery
from backend_agent.errors import BackendAgentError

__all__ = ["LiveGate"]


class InitArgs(ToolArgs):
    name: str = Field("service", description="The service name (made a valid slug).")
    spec: str = Field("spec.yaml", description="Spec file to write, relative to the project root.")
    force: bool = Field(False, description="Replace an existing file at that path.")


# destructive: with force it replaces whatever file is at that path
@REGISTRY.tool("init", InitArgs, effects=Effects(destructive=True, idempotent=True))
def init(workspace: Workspace, args: InitArgs) -> ToolResult:
    """Write a commented starter spec to edit, then build.

    Refuses to replace an existing file unless force is true.
    """
    from backend_agent.spec import starter_spec

    target = workspace.resolve(args.spec)
    if target.exists() and not args.force:
        raise BackendAgentError(f"{args.spec} already exists; pass force: true to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(starter_spec(args.name), encoding="utf-8")
    shown = workspace.relative(target)
    return ToolResult(
        f"wrote {shown}; edit it, then call build with spec {shown}",
        data={"spec": shown, "name": args.name},
    )


class UpdateArgs(ToolArgs):
    project: str = Field(description="A project made by build, relative to the project root.")
    spec: str | None = Field(
        None, description="The edited spec file, relative to the root (default: the recorded one)."
    )
    spec_text: str | None = Field(
        None, description="The edited spec as YAML text, instead of a file (written nowhere else)."
    )
    dry_run: bool = Field(False, description="Show the plan; write nothing.")
    allow_drop: bool = Field(
        False, description="Allow removing fields or entities (the migration drops data)."
    )
    verify: bool = Field(True, description="Re-run the gates after a clean merge.")
    live: bool = Field(True, description="With verify: run the live gates too (minutes).")
    database_url: str | None = Field(None, description="Also verify on this PostgreSQL database.")


@REGISTRY.tool("update", UpdateArgs, effects=Effects(destructive=True, idempotent=True, long=True))
def update(workspace: Workspace, args: UpdateArgs) -> ToolResult:
    """Merge an edited spec (or newer templates) into a generated project, keeping its edits.

    Three-way merge of every file; a new Alembic migration for the schema change.
    Files that could not be merged keep conflict markers and are listed; then
    nothing is verified. dry_run shows the plan only.
    """
    import tempfile
    from pathlib import Path

    from backend_agent.update import apply_update, plan_update

    if args.spec is not None and args.spec_text is not None:
        raise BackendAgentError("give spec or spec_text, not both")
    project = workspace.resolve(args.project, must_exist=True)
    workspace.say("planning the update")
    with tempfile.TemporaryDirectory(prefix="backend-agent-spec-") as scratch:
        spec_path = workspace.resolve(args.spec, must_exist=True) if args.spec else None
        if args.spec_text is not None:
            spec_path = Path(scratch) / "spec.yaml"
            spec_path.write_text(args.spec_text, encoding="utf-8")
        plan = plan_update(project, spec_path=spec_path, allow_drop=args.allow_drop)
    data: dict[str, Any] = {
        "dry_run": args.dry_run,
        "changes": [{"path": c.path, "action": c.action, "note": c.note} for c in plan.changes],
        "conflicts": list(plan.conflicts),
        "migration": {"file": plan.revision_file, "operations": list(plan.migration.operations)},
        "delivery": None,
    }
    lines = [f"{len(plan.changes)} file change(s)" + (" (dry run: nothing written)" * args.dry_run)]
    lines += [f"  {c.action}: {c.path}{f' ({c.note})' if c.note else ''}" for c in plan.changes]
    if plan.migration.operations:
        lines.append(f"migration {plan.revision_file}:")
        lines += [f"  - {operation}" for operation in plan.migration.operations]
    if args.dry_run:
        return ToolResult("\n".join(lines), data=data)
    workspace.say(f"writing {len(plan.writes)} file(s)")
    with workspace.writing():  # every planned file, or none when cancelled before
        apply_update(plan)
    if plan.conflicts:
        lines.append(
            f"{len(plan.conflicts)} file(s) have conflict markers: resolve them, then verify"
        )
        return ToolResult("\n".join(lines), is_error=True, data=data)
    if not args.verify:
        return ToolResult("\n".join(lines), data=data)
    from backend_agent.pipeline import live_settings, recorded_blueprint
    from backend_agent.verify import verify

    delivery = verify(
        project,
        database_url=args.database_url,
        progress=workspace.progress,
        live=live_settings(recorded_blueprint(project)) if args.live else None,
    )
    data["delivery"] = delivery.model_dump(mode="json")
    lines.append(describe_delivery(delivery))
    return ToolResult(
        "\n".join(lines), is_error=delivery.status != "completed", delivery=delivery, data=data
    )


class LiveGate(enum.StrEnum):
    """The live gates an audit can choose."""

    SEED = "seed"
    LOAD = "load"
    CONTRACT = "contract"
    SECURITY = "security"


class AuditArgs(ToolArgs):
    url: str = Field(description="The API's base URL on this machine (http://127.0.0.1:PORT).")
    openapi: str | None = Field(
        None,
        description="The OpenAPI document: a URL, or a file under the root. [URL/openapi.json]",
    )
    tokens: list[str] = Field(
        default_factory=list,
        description="Bearer tokens, each TOKEN or ROLE:TOKEN, one per user; the first is used "
        "for the contract run and authenticated load.",
    )
    headers: list[str] = Field(
        default_factory=list,
        description="Credentials sent as a header, each '[ROLE=]Name: value' (an API key).",
    )
    basic: list[str] = Field(
        default_factory=list, description="HTTP Basic credentials, each '[ROLE=]user:password'."
    )
    oauth2_password: list[str] = Field(
        default_factory=list,
        description="'[ROLE=]user:password' logged in through the document's OAuth2 password flow.",
    )
    oauth2_client: list[str] = Field(
        default_factory=list,
        description="'[ROLE=]client_id:secret' through the document's OAuth2 client-credentials "
        "flow.",
    )
    plan: str | None = Field(
        None,
        description="A probe plan (JSON) under the root: roles per operation, owner checks, "
        "login. Without it the wrong-role and non-owner probes are skipped.",
    )
    allow_writes: bool = Field(
        False,
        description="Create rows through the API (seed and write load). Without it they are "
        "skipped; contract cases and probes still send the writes they check.",
    )
    gates: list[LiveGate] = Field(
        default_factory=list, description="Run only these gates (default: all four)."
    )
    report_dir: str = Field(
        "backend-agent-audit",
        description="Where the artifacts and report.html go, relative to the root.",
    )
    seed_rows: int = Field(100, ge=1, description="Rows to create in the main collection.")
    load_seconds: float = Field(5.0, gt=0, le=60, description="Load duration per endpoint.")
    connections: int = Field(32, ge=1, le=64, description="Load connections.")
    max_requests: int = Field(200_000, ge=1, description="Request bound per endpoint.")
    contract_examples: int = Field(25, ge=1, description="Contract cases per operation and phase.")
    contract_budget: float = Field(900.0, gt=0, description="Seconds before the fuzzer is stopped.")
    max_p95_ms: float = Field(100.0, gt=0, description="The p95 latency gate, per endpoint.")
    max_error_rate: float = Field(0.01, ge=0, le=1, description="The error-rate gate (0..1).")
    min_contract_cases: int = Field(
        0,
        ge=0,
        description="Fewest contract cases to pass, over all operations (every operation must "
        "be sent cases either way).",
    )


@REGISTRY.tool(
    "audit",
    AuditArgs,
    effects=Effects(destructive=False, idempotent=False, open_world=True, long=True),
)
def audit(workspace: Workspace, args: AuditArgs) -> ToolResult:
    """Seed, probe, load and fuzz a running API; report the measured figures.

    Sends real traffic (bounded) to the URL: contract fuzzing, security probes,
    load with wrk. Writes the report under report_dir.
    """
    from backend_agent.verify.live import (
        LIVE_GATES,
        LiveOptions,
        LiveThresholds,
        ProbePlan,
    )
    from backend_agent.verify.live import audit as run_audit
    from backend_agent.verify.live.credentials import (
        basic_account,
        header_account,
        token_account,
    )

    openapi = args.openapi or args.url.rstrip("/") + "/openapi.json"
    if "://" not in openapi:
        openapi = str(workspace.resolve(openapi, must_exist=True))
    options = LiveOptions(
        seed_rows=args.seed_rows,
        load_seconds=args.load_seconds,
        load_connections=args.connections,
        load_max_requests=args.max_requests,
        contract_max_examples=args.contract_examples,
        contract_budget_seconds=args.contract_budget,
        gates=tuple(g.value for g in args.gates) if args.gates else LIVE_GATES,
        load_every_get=True,
        allow_writes=args.allow_writes,
    )
    thresholds = LiveThresholds(
        max_p95_ms=args.max_p95_ms,
        max_error_rate=args.max_error_rate,
        min_contract_cases=args.min_contract_cases,
    )

    accounts = [token_account(text, i) for i, text in enumerate(args.tokens, 1)]
    accounts += [header_account(text, i) for i, text in enumerate(args.headers, 1)]
    accounts += [basic_account(text, i) for i, text in enumerate(args.basic, 1)]
    started: set[str] = set()

    def progress(task: str, done: float, total: float | None) -> None:
        if task not in started:  # each task once, as it starts: the steps, not every tick
            started.add(task)
            workspace.say(task)

    delivery = run_audit(
        args.url,
        openapi=openapi,
        accounts=accounts,
        oauth2_logins=[
            *(("password", text) for text in args.oauth2_password),
            *(("clientCredentials", text) for text in args.oauth2_client),
        ],
        plan=ProbePlan.load(workspace.resolve(args.plan, must_exist=True)) if args.plan else None,
        options=options,
        thresholds=thresholds,
        report_dir=workspace.resolve(args.report_dir),
        progress=progress,
    )
    return ToolResult(
        describe_delivery(delivery), is_error=delivery.status != "completed", delivery=delivery
    )
