"""The view model of the platform tables: the audit log and the idempotency keys."""

from __future__ import annotations

from dataclasses import dataclass

from backend_agent.design.blueprint import Blueprint
from backend_agent.generate.entities import rule_expr
from backend_agent.generate.tables import TableView, table_view

__all__ = ["PlatformView", "platform_view"]


@dataclass(frozen=True)
class PlatformView:
    """What app/models/platform.py, the audit modules and their tests substitute."""

    audit_log: TableView
    idempotency_keys: TableView
    imports: tuple[str, ...]  # of the models module: both tables' imports, once each
    exports: tuple[str, ...]  # model classes, for app/models/__init__.py
    audit_rule: str  # Rule(...) of the audit-log route
    audit_path: str  # under the API prefix: "/audit-log"
    audit_operation_id: str
    audit_summary: str
    audit_role: str  # a role that may read the audit log
    audit_denied: str  # a role that may not, or "" when there is none
    idempotency_ttl_seconds: int


def platform_view(blueprint: Blueprint) -> PlatformView:
    """The platform view of the project generated from ``blueprint``."""
    platform = blueprint.platform
    audit_log = table_view(
        platform.audit_log,
        class_name="AuditLogEntry",
        doc="One write: who (actor_id), what (action, entity, entity_id), when, which request.",
    )
    keys = table_view(
        platform.idempotency_keys,
        class_name="IdempotencyKey",
        doc="The stored response of a POST sent with an Idempotency-Key, until it expires.",
    )
    route = next(r for r in blueprint.routes if r.action == "audit_list")
    imports = tuple(dict.fromkeys((*audit_log.imports, *keys.imports)))
    return PlatformView(
        audit_log=audit_log,
        idempotency_keys=keys,
        imports=imports,
        exports=(audit_log.class_name, keys.class_name),
        audit_rule=rule_expr(route.rule),
        audit_path=route.path.removeprefix(blueprint.api_prefix),
        audit_operation_id=route.operation_id,
        audit_summary=route.summary,
        audit_role=platform.audit_role,
        audit_denied=next((r for r in blueprint.auth.roles if r != platform.audit_role), ""),
        idempotency_ttl_seconds=platform.idempotency_ttl_seconds,
    )
