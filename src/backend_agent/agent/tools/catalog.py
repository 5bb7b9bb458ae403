"""Catalogue tools: the review rules and the agent definitions (read-only, fast)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from backend_agent.agent.tools.base import READ_ONLY, REGISTRY, ToolArgs, ToolResult, Workspace
from backend_agent.errors import BackendAgentError

__all__: list[str] = []


class RulesArgs(ToolArgs):
    explain: str | None = Field(
        None,
        description="A rule code (BA101) or name (sql-injection) to explain; omit to list all.",
    )


@REGISTRY.tool("rules", RulesArgs, effects=READ_ONLY)
def rules(workspace: Workspace, args: RulesArgs) -> ToolResult:
    """List the review rules (code, name, category, severity), or explain one.

    An explanation has what the rule finds, why it matters, an example and the fix.
    """
    from backend_agent.review import doc_sections, list_rules

    infos = list_rules()
    rows = [i.listing() for i in infos]
    if args.explain is None:
        lines = [f"{r['code']}  {r['name']}  [{r['severity']}]  {r['summary']}" for r in rows]
        return ToolResult("\n".join(lines), data={"rules": rows})
    wanted = args.explain.strip()
    found = [
        r for r, i in zip(rows, infos, strict=True) if wanted.upper() == i.code or wanted == i.name
    ]
    if not found:
        raise BackendAgentError(f"unknown rule {args.explain!r}; call rules without explain")
    [row] = found[:1]
    info = next(i for i in infos if i.code == row["code"])
    sections = doc_sections(info.doc)
    text = [f"{info.code} {info.name} ({info.category}, severity {info.severity})", info.summary]
    for title, body in sections.items():
        text += ["", f"{title}:", body]
    return ToolResult("\n".join(text), data={**row, "sections": sections})


class AgentsArgs(ToolArgs):
    action: Literal["list", "validate"] = Field(
        "list",
        description="list: the definitions (name, tools, description); validate: check files "
        "and report every problem with file:line:column.",
    )
    path: str | None = Field(
        None,
        description="A definition file or folder, relative to the root (default: the "
        "built-in definitions; required for validate).",
    )


@REGISTRY.tool("agents", AgentsArgs, effects=READ_ONLY)
def agents(workspace: Workspace, args: AgentsArgs) -> ToolResult:
    """List or validate agent definition files (markdown with a YAML header)."""
    from backend_agent.agent.definition import (
        AgentDefinition,
        builtin_definitions,
        check_definitions,
    )

    def summary(definition: AgentDefinition, where: str) -> dict[str, Any]:
        tools = list(definition.tools) if definition.tools is not None else "all"
        return {"path": where, "valid": True, "name": definition.name,
                "description": definition.description, "tools": tools,
                "model": definition.model or "inherit"}  # fmt: skip

    if args.path is None:
        if args.action == "validate":
            raise BackendAgentError("validate needs a path: a definition file or folder")
        rows = [summary(d, "(built-in)") for d in builtin_definitions()]
    else:
        checks = check_definitions(workspace.resolve(args.path, must_exist=True))
        rows = [
            summary(c.definition, workspace.relative(c.path))
            if c.definition is not None
            else {"path": workspace.relative(c.path), "valid": False, "name": None}
            for c in checks
        ]
        for row, check in zip(rows, checks, strict=True):
            row["problems"] = [str(p) for p in check.problems]
    lines = []
    for row in rows:
        if row["valid"]:
            tools = ", ".join(row["tools"]) if isinstance(row["tools"], list) else "all tools"
            lines.append(f"{row['name']}  [{tools}]  {row['path']}")
        else:
            lines.append(f"{row['path']}: invalid")
        lines += [f"  {problem}" for problem in row.get("problems", [])]
    invalid = sum(not row["valid"] for row in rows)
    return ToolResult(
        "\n".join(lines) or "no definition files", is_error=invalid > 0, data={"agents": rows}
    )
