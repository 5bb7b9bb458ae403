"""A design as plain JSON: what ``backend-agent design --json`` prints and the MCP tool answers.

The shape (every key always present)::

    {
      "service": {"name", "title", "version", "api_prefix"},
      "auth": {"roles": [...], "default_role", "admin_role"},
      "entities": [{
        "name", "table", "collection_path", "item_path",
        "owner": bool, "soft_delete": bool, "nested_under": entity | null,
        "fields": [{"name", "type", "primary_key", "required", "nullable", "unique", "writable",
                    "readable", "filterable", "sortable", "max_length", "values", "default"}],
        "relations": [{"name", "kind", "target", "column", "junction", "required",
                       "on_delete"}],
        "permissions": {action: {"kind", "roles": [...]}}
      }],
      "operations": [{"method", "path", "operation_id", "entity", "action", "status",
                      "access": {"kind", "roles": [...]}, "rate_limit"}],
      "migration": {"revision": "0001", "file", "tables": [...], "indexes": [...],
                    "row_counts": {"table", "counted": [...]} | null},
      "decisions": [{"title", "choice"}]
    }

``migration`` summarises the initial revision a build writes: the tables it creates
(parents first) and their indexes; ``row_counts``, when some list reads its total from
a count, is the table the revision also creates for that and the tables whose live rows
its triggers count.
"""

from __future__ import annotations

from typing import Any

from backend_agent.design.blueprint import Blueprint, Entity, EntityField, Route, Rule
from backend_agent.design.counts import COUNTS_TABLE

__all__ = ["INITIAL_REVISION_FILE", "design_summary"]

INITIAL_REVISION_FILE = "migrations/versions/0001_initial.py"


def design_summary(blueprint: Blueprint) -> dict[str, Any]:
    """``blueprint`` as the JSON document described in this module's docstring."""
    return {
        "service": {
            "name": blueprint.name,
            "title": blueprint.title,
            "version": blueprint.version,
            "api_prefix": blueprint.api_prefix,
        },
        "auth": {
            "roles": list(blueprint.auth.roles),
            "default_role": blueprint.auth.default_role,
            "admin_role": blueprint.auth.admin_role,
        },
        "entities": [_entity(entity) for entity in blueprint.entities],
        "operations": [_operation(route) for route in blueprint.routes],
        "migration": {
            "revision": "0001",
            "file": INITIAL_REVISION_FILE,
            "tables": [table.name for table in blueprint.tables],
            "indexes": [index.name for table in blueprint.tables for index in table.indexes],
            "row_counts": {
                "table": COUNTS_TABLE,
                "counted": [counted.table for counted in blueprint.counted],
            }
            if blueprint.counted
            else None,
        },
        "decisions": [{"title": d.title, "choice": d.choice} for d in blueprint.decisions],
    }


def _rule(rule: Rule) -> dict[str, Any]:
    return {"kind": rule.kind, "roles": list(rule.roles)}


def _field(item: EntityField) -> dict[str, Any]:
    column = item.column
    return {
        "name": item.name,
        "type": column.type,
        "primary_key": column.primary_key,
        "required": item.required,
        "nullable": column.nullable,
        "unique": column.unique,
        "writable": item.writable,
        "readable": item.readable,
        "filterable": item.filterable,
        "sortable": item.sortable,
        "max_length": column.max_length,
        "values": list(column.enum_values),
        "default": column.default,
    }


def _entity(entity: Entity) -> dict[str, Any]:
    return {
        "name": entity.name,
        "table": entity.table.name,
        "collection_path": entity.collection_path,
        "item_path": entity.item_path,
        "owner": entity.owner,
        "soft_delete": entity.soft_delete,
        "nested_under": entity.nested_under,
        "fields": [_field(item) for item in entity.fields],
        "relations": [
            {
                "name": r.name,
                "kind": r.kind,
                "target": r.target,
                "column": r.column,
                "junction": r.junction,
                "required": r.required,
                "on_delete": r.on_delete,
            }
            for r in entity.relations
        ],
        "permissions": {action: _rule(rule) for action, rule in entity.permissions.items()},
    }


def _operation(route: Route) -> dict[str, Any]:
    return {
        "method": route.method,
        "path": route.path,
        "operation_id": route.operation_id,
        "entity": route.entity,
        "action": route.action,
        "status": route.status,
        "access": _rule(route.rule),
        "rate_limit": route.rate_limit,
    }
