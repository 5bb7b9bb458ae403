"""The agent commands: ``run``, ``agents list|show|validate|schema`` and ``mcp``.

``run`` exit codes: 0 completed; 1 the run stopped short (gate failed, budget
exceeded, loop detected); 2 a user error (no provider, bad agent file);
3 the model provider failed.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Annotated, Any

import typer

from backend_agent.agent import (
    ActionStep,
    AgentDefinition,
    Budget,
    Progress,
    RunResult,
    Workspace,
    builtin_definitions,
    check_definitions,
    create_model,
    find_definition,
    load_config,
    protocol_schemas,
    run_agent,
)
from backend_agent.errors import BackendAgentError

__all__ = ["register"]

_EXIT_CODES = {
    "completed": 0,
    "gate_failed": 1,
    "budget_exceeded": 1,
    "loop_detected": 1,
    "error": 3,
}

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def register(app: typer.Typer) -> None:
    """Add ``run``, ``agents`` and ``mcp`` to ``app``."""
    app.command("run")(run)
    agents = typer.Typer(
        help="List, show and validate agent definition files.", no_args_is_help=True
    )
    agents.command("list")(list_agents)
    agents.command("show")(show_agent)
    agents.command("validate")(validate_agents)
    agents.command("schema")(protocol_schema)
    app.add_typer(agents, name="agents")
    app.command("mcp")(mcp)


def run(
    task: Annotated[str, typer.Argument(help="What the agent should do, in plain words.")],
    agent: Annotated[
        str | None, typer.Option(help="Agent definition file, or a built-in agent's name.")
    ] = None,
    max_steps: Annotated[int, typer.Option(min=1, help="Most model replies.")] = 40,
    max_tokens: Annotated[int | None, typer.Option(min=1, help="Most tokens in all.")] = None,
    max_seconds: Annotated[float | None, typer.Option(min=1, help="Most wall time.")] = None,
    cwd: Annotated[Path, typer.Option(help="The project folder the agent works in.")] = Path(),
    checkpoints: Annotated[
        bool, typer.Option(help="Commit each step's changes when cwd is in a git repository.")
    ] = True,
    json_output: JsonOption = False,
) -> None:
    """Let an LLM agent work on TASK with the tools, within budgets; report what it measured."""
    root = cwd.resolve()
    if not root.is_dir():
        raise BackendAgentError(f"--cwd {cwd} is not a folder")
    definition = find_definition(agent) if agent else builtin_definitions()[0]
    model = create_model(load_config(root, fallback_model=definition.model))
    result = run_agent(
        task,
        model=model,
        workspace=Workspace(root),
        definition=definition,
        budget=Budget(max_steps=max_steps, max_tokens=max_tokens, max_seconds=max_seconds),
        checkpoints=checkpoints,
        command=f"backend-agent run {shlex.quote(task)}",
        observer=_show_json if json_output else _show_step,
    )
    if json_output:
        typer.echo(result.delivery.model_dump_json())
    else:
        _show_result(result)
    raise typer.Exit(_EXIT_CODES[result.exit_reason])


def _show_json(step: ActionStep, progress: Progress) -> None:
    typer.echo(progress.model_dump_json())


def _show_step(step: ActionStep, progress: Progress) -> None:
    for seen in step.observations:
        mark = "x" if seen.is_error else "-"
        first = seen.output.strip().splitlines()[0][:100] if seen.output.strip() else ""
        typer.echo(f"step {step.number} {mark} {seen.call.name}: {first}")


def _show_result(result: RunResult) -> None:
    typer.echo(f"\nexit reason: {result.exit_reason}")
    if result.answer:
        typer.echo(result.answer)
    for name, figure in result.delivery.figures.items():
        source = f"  <- {figure.command}" if figure.command else ""
        typer.echo(f"  {name}: {figure.display()}{source}")
    typer.echo(f"transcript: {result.transcript}")


def list_agents(
    path: Annotated[
        Path | None, typer.Argument(help="A definition file or folder; default: the built-ins.")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """List agent definitions: name, tools and description."""
    if path is None:
        found: list[tuple[str, AgentDefinition | None, int]] = [
            ("(built-in)", d, 0) for d in builtin_definitions()
        ]
    else:
        found = [(str(c.path), c.definition, len(c.problems)) for c in check_definitions(path)]
    if json_output:
        rows = [
            {"path": where, "valid": d is not None, **(_summary(d) if d else {"problems": count})}
            for where, d, count in found
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    for where, definition, count in found:
        if definition is None:
            typer.echo(f"{where}: invalid ({count} problems; see `backend-agent agents validate`)")
            continue
        tools = ", ".join(definition.tools) if definition.tools is not None else "all tools"
        typer.echo(f"{definition.name}  [{tools}]  {where}")
        typer.echo(f"    {definition.description[:160]}")


def show_agent(
    agent: Annotated[str, typer.Argument(help="A definition file, or a built-in agent's name.")],
    json_output: JsonOption = False,
) -> None:
    """Show one agent definition: its fields and instructions."""
    definition = find_definition(agent)
    summary = _summary(definition)
    if json_output:
        typer.echo(json.dumps({**summary, "instructions": definition.instructions}, indent=2))
        return
    for key, value in summary.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        typer.echo(f"{key}: {shown}")
    typer.echo(f"\n{definition.instructions}")


def validate_agents(
    path: Annotated[Path, typer.Argument(help="A definition file, or a folder of them.")],
    json_output: JsonOption = False,
) -> None:
    """Check agent definition files; every problem is reported with file:line:column."""
    checks = check_definitions(path)
    if json_output:
        rows = [
            {
                "path": str(c.path),
                "valid": c.ok,
                "name": c.definition.name if c.definition else None,
                "problems": [{**vars(p), "text": str(p)} for p in c.problems],
            }
            for c in checks
        ]
        typer.echo(json.dumps(rows, indent=2))
    else:
        for check in checks:
            if check.definition is not None:
                typer.echo(f"ok: {check.path} ({check.definition.name})")
            for problem in check.problems:
                typer.echo(str(problem))
        bad = sum(not c.ok for c in checks)
        typer.echo(f"{len(checks) - bad} valid, {bad} invalid")
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


def protocol_schema(
    out: Annotated[
        Path | None, typer.Option(help="Write one <message>.schema.json per message here.")
    ] = None,
) -> None:
    """Print (or write) the JSON Schemas of the agent protocol messages."""
    schemas = protocol_schemas()
    if out is None:
        typer.echo(json.dumps(schemas, indent=2))
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        (out / f"{name}.schema.json").write_text(json.dumps(schema, indent=2) + "\n", "utf-8")
        typer.echo(f"wrote {out / f'{name}.schema.json'}")


def mcp(
    root: Annotated[Path, typer.Option(help="The project folder the tools act on.")] = Path(),
) -> None:
    """Serve the tools (init, design, build, update, verify, audit, review...) over MCP (stdio)."""
    try:
        import anyio

        from backend_agent.agent.mcp_server import serve
    except ImportError as exc:  # the MCP SDK is part of an optional extra
        raise BackendAgentError(
            f"the MCP server needs the '{exc.name}' package: pip install 'backend-agent[agent]'"
        ) from None
    anyio.run(serve, root.resolve())


def _summary(definition: AgentDefinition) -> dict[str, Any]:
    return {
        "name": definition.name,
        "description": definition.description,
        "tools": list(definition.tools) if definition.tools is not None else "all",
        "model": definition.model or "inherit",
        "path": str(definition.path) if definition.path else "(built-in)",
    }
