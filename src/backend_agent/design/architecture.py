"""ARCHITECTURE.md: the ER diagram (Mermaid) and the decision record."""

from __future__ import annotations

from backend_agent.design.blueprint import Blueprint, Column, Table

__all__ = ["architecture_markdown", "er_diagram"]

_MERMAID_TYPES = {
    "datetime": "timestamptz",
    "decimal": "numeric",
    "email": "string",
    "url": "string",
}


def _attribute(table: Table, column: Column) -> str:
    kind = _MERMAID_TYPES.get(column.type, column.type)
    keys = []
    if column.name in table.primary_key:
        keys.append("PK")
    if column.foreign_key:
        keys.append("FK")
    if column.unique:
        keys.append("UK")
    suffix = f" {','.join(keys)}" if keys else ""
    return f"        {kind} {column.name}{suffix}"


def er_diagram(blueprint: Blueprint) -> str:
    """A Mermaid ``erDiagram`` of every table and foreign key."""
    lines = ["erDiagram"]
    for table in blueprint.tables:
        for column in table.foreign_keys:
            assert column.foreign_key is not None
            many = "o{" if column.nullable else "|{"
            lines.append(
                f'    {column.foreign_key.table} ||--{many} {table.name} : "{column.name}"'
            )
    for table in blueprint.tables:
        lines.append(f"    {table.name} {{")
        lines.extend(_attribute(table, column) for column in table.columns)
        lines.append("    }")
    return "\n".join(lines) + "\n"


def _routes_table(blueprint: Blueprint) -> str:
    rows = ["| method | path | who may call it |", "|---|---|---|"]
    for route in blueprint.routes:
        rule = route.rule
        who = {
            "anyone": "anyone",
            "authenticated": "any signed-in user",
            "roles": "roles: " + ", ".join(rule.roles),
            "owner": "the owner",
            "owner_or_roles": "the owner, or roles: " + ", ".join(rule.roles),
        }[rule.kind]
        rows.append(f"| {route.method} | `{route.path}` | {who} |")
    return "\n".join(rows)


def architecture_markdown(blueprint: Blueprint) -> str:
    """The architecture document of a service."""
    parts = [
        f"# {blueprint.title}: architecture",
        "",
        blueprint.description,
        "",
        "## Data model",
        "",
        "```mermaid",
        er_diagram(blueprint).rstrip(),
        "```",
        "",
        "## Decisions",
    ]
    for number, decision in enumerate(blueprint.decisions, start=1):
        parts += ["", f"### {number}. {decision.title}", "", f"**Choice:** {decision.choice}", ""]
        parts += [f"- {reason}" for reason in decision.reasons]
        if decision.alternatives:
            parts += ["", "Considered:", ""]
            parts += [f"- {alternative}" for alternative in decision.alternatives]
    parts += [
        "",
        "## Layers",
        "",
        "```",
        "app/api/routes/    HTTP: parse, authenticate, call a service, shape the envelope",
        "app/services/      rules: roles, ownership, conflicts, transactions",
        "app/repositories/  SQL: one function per query, ownership inside the WHERE clause",
        "app/models/        tables (SQLAlchemy), the source of the Alembic migrations",
        "```",
        "",
        "## Routes",
        "",
        _routes_table(blueprint),
        "",
    ]
    return "\n".join(parts)
