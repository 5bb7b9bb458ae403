"""Domain tools: the product's own stages (design, build, verify, review) as tools.

Each one is a thin adapter: resolve paths inside the workspace, call the
stage, and describe its result in words a model can act on. The stages are
imported when called, so listing tools costs nothing. The rest of the
lifecycle (``init``, ``update``, ``audit``) is in ``lifecycle``; the read-only
catalogues (``rules``, ``agents``) in ``catalog``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import Field

from backend_agent.agent.tools.base import (
    READ_ONLY,
    REGISTRY,
    Effects,
    ToolArgs,
    ToolResult,
    Workspace,
)
from backend_agent.figures import Delivery

__all__ = ["BUILDS", "describe_delivery"]

BUILDS = Effects(destructive=True, idempotent=True, open_world=False, long=True)
"""Writes (replaces) a generated project and runs its gates as child processes."""

_MAX_FINDINGS = 100


class DesignArgs(ToolArgs):
    spec: str = Field(description="Spec file (YAML), relative to the project root.")
    view: Literal["summary", "ddl", "openapi", "architecture"] = Field(
        "summary",
        description="summary: tables and routes; ddl: SQL schema; openapi: the API "
        "contract (JSON); architecture: the decision record (markdown).",
    )
    dialect: Literal["sqlite", "postgresql"] = Field("sqlite", description="SQL dialect for ddl.")


@REGISTRY.tool("design", DesignArgs, effects=READ_ONLY)
def design(workspace: Workspace, args: DesignArgs) -> ToolResult:
    """Validate a service spec and show its design: tables, routes, SQL, OpenAPI or decisions.

    Pure and fast: nothing is written. An invalid spec gives every problem with
    file:line:column. Whatever the view, the structured answer is the design as
    ``backend-agent design --json`` prints it (entities, fields, relations,
    operations, the initial migration).
    """
    from backend_agent import design as stage
    from backend_agent.design.summary import design_summary
    from backend_agent.spec import load_spec

    blueprint = stage.design(load_spec(workspace.resolve(args.spec, must_exist=True)))
    data = design_summary(blueprint)
    if args.view == "ddl":
        return ToolResult(stage.ddl(blueprint, args.dialect), data=data)
    if args.view == "openapi":
        return ToolResult(json.dumps(stage.openapi_document(blueprint), indent=2), data=data)
    if args.view == "architecture":
        return ToolResult(stage.architecture_markdown(blueprint), data=data)
    lines = [f"service {blueprint.name} ({blueprint.title}), API under {blueprint.api_prefix}"]
    lines.append("tables:")
    for table in blueprint.tables:
        lines.append(f"  {table.name}: {', '.join(c.name for c in table.columns)}")
    lines.append(f"routes ({len(blueprint.routes)}):")
    lines += [f"  {r.method:6} {r.path}  [{r.operation_id}]" for r in blueprint.routes]
    lines.append("decisions:")
    lines += [f"  {d.title}: {d.choice}" for d in blueprint.decisions]
    return ToolResult("\n".join(lines), data=data)


class BuildArgs(ToolArgs):
    spec: str = Field(description="Spec file (YAML), relative to the project root.")
    out: str = Field(description="Folder to generate the service into, relative to the root.")
    overwrite: bool = Field(False, description="Regenerate into an existing output folder.")
    verify: bool = Field(True, description="Run the quality gates after generating.")
    database_url: str | None = Field(None, description="Also verify against this database.")
    live: bool = Field(
        True,
        description="With verify: serve the project and run the live gates (seed, load, "
        "contract, security probes; minutes). false lists them as skipped.",
    )


@REGISTRY.tool("build", BuildArgs, effects=BUILDS)
def build(workspace: Workspace, args: BuildArgs) -> ToolResult:
    """Design, generate and verify a service from a spec; report the measured gates.

    Slow with verify (it installs and tests the generated project, a minute or
    more). Use overwrite: true to rebuild after editing the spec: only a project
    backend-agent generated and nobody edited is replaced (use update to keep edits).
    """
    from backend_agent.pipeline import build as run_build
    from backend_agent.pipeline import live_settings, recorded_blueprint
    from backend_agent.verify import verify as run_verify

    out = workspace.resolve(args.out)
    spec = workspace.resolve(args.spec, must_exist=True)
    with workspace.writing():  # the project is written whole, even when the call is cancelled
        run_build(
            spec, out, overwrite=args.overwrite, run_verify=False, progress=workspace.progress
        )
    if not args.verify:
        from backend_agent.verify import unverified

        skipped = unverified(out, "switched off by the caller (verify: false)")
        return ToolResult(  # as build --no-verify --json
            f"generated {workspace.relative(out)} (not verified: verify was false)",
            data=skipped.model_dump(mode="json"),
        )
    live = live_settings(recorded_blueprint(out)) if args.live else None
    delivery = run_verify(
        out, database_url=args.database_url, live=live, progress=workspace.progress
    )
    return _delivered(workspace, delivery)


class VerifyArgs(ToolArgs):
    project: str = Field(description="Generated project folder, relative to the project root.")
    database_url: str | None = Field(None, description="Also verify against this database.")
    live: bool = Field(
        True,
        description="Serve the project and run the live gates (seed, load, contract, "
        "security probes; minutes). false lists them as skipped.",
    )


@REGISTRY.tool("verify", VerifyArgs, effects=Effects(destructive=False, idempotent=True, long=True))
def verify(workspace: Workspace, args: VerifyArgs) -> ToolResult:
    """Run the quality gates (tests, coverage, contract, security, review...) on a project.

    Slow: it runs the project's own test suite. Every figure says which command
    measured it.
    """
    from backend_agent.pipeline import live_settings, recorded_blueprint
    from backend_agent.verify import verify as run_verify

    project = workspace.resolve(args.project, must_exist=True)
    live = live_settings(recorded_blueprint(project)) if args.live else None
    delivery = run_verify(
        project, database_url=args.database_url, live=live, progress=workspace.progress
    )
    return _delivered(workspace, delivery)


class ReviewArgs(ToolArgs):
    path: str = Field(".", description="File or folder to review, relative to the project root.")


@REGISTRY.tool("review", ReviewArgs, effects=READ_ONLY)
def review(workspace: Workspace, args: ReviewArgs) -> ToolResult:
    """Review Python backend code for security and performance problems (static, fast).

    Each finding is file:line:column, its rule code, severity and message.
    """
    from backend_agent.review import review as run_review

    findings = run_review(workspace.resolve(args.path, must_exist=True))
    data = {"findings": [finding.as_dict() for finding in findings]}  # as review --format json
    if not findings:
        return ToolResult(f"no findings in {args.path}", data=data)
    lines = [f"{len(findings)} finding{'s' if len(findings) != 1 else ''}:"]
    for finding in findings[:_MAX_FINDINGS]:
        where = _shown(workspace, Path(str(finding.file)))
        lines.append(
            f"{where}:{finding.line}:{finding.column}: {finding.code} "
            f"[{finding.severity}] {finding.message}"
        )
    if len(findings) > _MAX_FINDINGS:
        lines.append(f"[{len(findings) - _MAX_FINDINGS} more findings not shown]")
    return ToolResult("\n".join(lines), data=data)


def _shown(workspace: Workspace, path: Path) -> str:
    return workspace.relative(path.resolve()) if path.is_absolute() else path.as_posix()


def _delivered(workspace: Workspace, delivery: Delivery) -> ToolResult:
    return ToolResult(
        describe_delivery(delivery), is_error=delivery.status != "completed", delivery=delivery
    )


def describe_delivery(delivery: Delivery) -> str:
    """A delivery in words: status, each gate, and each figure with the command that measured it."""
    lines = [f"status: {delivery.status}", delivery.summary]
    if delivery.gates:
        lines.append("gates:")
        lines += [
            f"  {g.name}: {g.status}{f' ({g.message})' if g.message else ''}"
            for g in delivery.gates
        ]
    if delivery.figures:
        lines.append("figures:")
        for name, figure in delivery.figures.items():
            source = f"  <- {figure.command} (exit {figure.exit_code})" if figure.command else ""
            lines.append(f"  {name}: {figure.display()}{source}")
    if delivery.artifacts_dir:
        lines.append(f"artifacts: {delivery.artifacts_dir}")
    return "\n".join(lines)
