"""The HTTP routes of a service: health, auth, audit log and each entity's operations."""

from __future__ import annotations

from collections.abc import Mapping

from backend_agent.design.blueprint import Entity, Route, Rule

__all__ = ["audit_routes", "auth_routes", "entity_routes", "health_routes", "job_routes"]

_ANYONE = Rule("anyone")
_SIGNED_IN = Rule("authenticated")


def _article(noun: str) -> str:
    """``a post``, ``an author``."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def health_routes() -> tuple[Route, ...]:
    """Liveness and readiness probes."""
    return (
        Route(
            "GET",
            "/health/live",
            "health_live",
            None,
            "health_live",
            _ANYONE,
            200,
            "The process is up",
            "health",
        ),
        Route(
            "GET",
            "/health/ready",
            "health_ready",
            None,
            "health_ready",
            _ANYONE,
            200,
            "The service can reach its database",
            "health",
        ),
    )


def auth_routes(prefix: str) -> tuple[Route, ...]:
    """Register, login, refresh, logout (one session or all), password change and me."""
    base = f"{prefix}/auth"
    return (
        Route(
            "POST",
            f"{base}/register",
            "register",
            None,
            "auth_register",
            _ANYONE,
            201,
            "Create an account",
            "auth",
        ),
        Route(
            "POST",
            f"{base}/login",
            "login",
            None,
            "auth_login",
            _ANYONE,
            200,
            "Exchange credentials for tokens",
            "auth",
        ),
        Route(
            "POST",
            f"{base}/refresh",
            "refresh_tokens",
            None,
            "auth_refresh",
            _ANYONE,
            200,
            "Rotate a refresh token for a new token pair",
            "auth",
        ),
        Route(
            "POST",
            f"{base}/logout",
            "logout",
            None,
            "auth_logout",
            _SIGNED_IN,
            204,
            "Revoke the current session",
            "auth",
        ),
        Route(
            "POST",
            f"{base}/logout-all",
            "logout_all",
            None,
            "auth_logout_all",
            _SIGNED_IN,
            204,
            "Revoke every session of the signed-in user",
            "auth",
        ),
        Route(
            "POST",
            f"{base}/password",
            "change_password",
            None,
            "auth_password",
            _SIGNED_IN,
            200,
            "Change the password: every session ends and a new one starts",
            "auth",
        ),
        Route(
            "GET",
            f"{base}/me",
            "get_me",
            None,
            "auth_me",
            _SIGNED_IN,
            200,
            "The signed-in user",
            "auth",
        ),
    )


def audit_routes(prefix: str, role: str) -> tuple[Route, ...]:
    """The audit log, newest first, for ``role`` only."""
    return (
        Route(
            "GET",
            f"{prefix}/audit-log",
            "list_audit_log",
            None,
            "audit_list",
            Rule("roles", (role,)),
            200,
            "List the audit log of writes, newest first",
            "audit",
        ),
    )


def job_routes(prefix: str, role: str) -> tuple[Route, ...]:
    """The job queue, for ``role`` only: list (``?status=dead``: the dead letters), read, replay."""
    rule = Rule("roles", (role,))
    base = f"{prefix}/jobs"
    return (
        Route("GET", base, "list_jobs", None, "jobs_list", rule, 200, "List jobs", "jobs"),
        Route(
            "GET", f"{base}/{{id}}", "get_job", None, "jobs_read", rule, 200, "Get a job", "jobs"
        ),
        Route(
            "POST",
            f"{base}/{{id}}/replay",
            "replay_job",
            None,
            "jobs_replay",
            rule,
            200,
            "Run a dead job again",
            "jobs",
        ),
    )


def entity_routes(entity: Entity, entities: Mapping[str, Entity], prefix: str) -> tuple[Route, ...]:
    """CRUD, transition, nested and many-to-many routes of one entity."""
    rules = entity.permissions
    name, many, tag = entity.snake, entity.plural, entity.plural
    label = entity.title.lower()
    a_label = _article(label)
    routes = [
        Route(
            "GET",
            entity.collection_path,
            f"list_{many}",
            entity.name,
            "list",
            rules["list"],
            200,
            f"List {many.replace('_', ' ')}",
            tag,
        ),
        *(
            [
                Route(
                    "GET",
                    f"{entity.collection_path}/stats",
                    f"stats_{many}",
                    entity.name,
                    "stats",
                    rules["list"],
                    200,
                    f"Statistics of {many.replace('_', ' ')}",
                    tag,
                )
            ]
            if entity.aggregates
            else []
        ),
        Route(
            "POST",
            entity.collection_path,
            f"create_{name}",
            entity.name,
            "create",
            rules["create"],
            201,
            f"Create {a_label}",
            tag,
        ),
        Route(
            "GET",
            entity.item_path,
            f"get_{name}",
            entity.name,
            "read",
            rules["read"],
            200,
            f"Get {a_label}",
            tag,
        ),
        Route(
            "PUT",
            entity.item_path,
            f"replace_{name}",
            entity.name,
            "replace",
            rules["update"],
            200,
            f"Replace {a_label}",
            tag,
        ),
        Route(
            "PATCH",
            entity.item_path,
            f"update_{name}",
            entity.name,
            "update",
            rules["update"],
            200,
            f"Update some fields of {a_label}",
            tag,
        ),
        Route(
            "DELETE",
            entity.item_path,
            f"delete_{name}",
            entity.name,
            "delete",
            rules["delete"],
            204,
            f"Delete {a_label}",
            tag,
        ),
    ]
    if entity.nested_under and entity.nested_column:
        parent = entities[entity.nested_under]
        nested = f"{prefix}/{parent.plural}/{{{entity.nested_column}}}/{many}"
        routes += [
            Route(
                "GET",
                nested,
                f"list_{parent.snake}_{many}",
                entity.name,
                "list_nested",
                rules["list"],
                200,
                f"List the {many.replace('_', ' ')} of {_article(parent.title.lower())}",
                tag,
                relation=entity.nested_column,
            ),
            Route(
                "POST",
                nested,
                f"create_{parent.snake}_{name}",
                entity.name,
                "create_nested",
                rules["create"],
                201,
                f"Create {a_label} under {_article(parent.title.lower())}",
                tag,
                relation=entity.nested_column,
            ),
        ]
    routes += [
        Route(
            "POST",
            f"{entity.item_path}/{move.name}",
            f"{move.name}_{name}",
            entity.name,
            "transition",
            move.rule,
            200,
            f"{move.name.replace('_', ' ').capitalize()} {a_label}",
            tag,
            transition=move.name,
        )
        for move in entity.transitions
    ]
    routes += [
        Route(
            "POST",
            f"{entity.item_path}/{action.name}",
            f"{action.name}_{name}",
            entity.name,
            "custom",
            action.rule,
            200,
            f"{action.name.replace('_', ' ').capitalize()} {a_label}",
            tag,
            custom=action.name,
        )
        for action in entity.actions
    ]
    for relation in entity.relations:
        if relation.kind != "many_to_many":
            continue
        target = entities[relation.target]
        # Attach/detach are named after the target (add_post_tag) unless another
        # many_to_many of this entity reaches the same target: then after the relation
        # (add_invoice_labels, add_invoice_topics), so names and operationIds stay unique.
        shared = sum(
            other.kind == "many_to_many" and other.target == relation.target
            for other in entity.relations
        )
        member_name = target.snake if shared == 1 else relation.name
        related = f"{entity.item_path}/{relation.name}"
        member = f"{related}/{{{target.snake}_id}}"
        routes += [
            Route(
                "GET",
                related,
                f"list_{name}_{relation.name}",
                entity.name,
                "list_related",
                rules["read"],
                200,
                f"List the {relation.name} of {a_label}",
                tag,
                relation=relation.name,
            ),
            Route(
                "PUT",
                member,
                f"add_{name}_{member_name}",
                entity.name,
                "link",
                rules["update"],
                204,
                f"Attach {_article(target.title.lower())} to {a_label}",
                tag,
                relation=relation.name,
            ),
            Route(
                "DELETE",
                member,
                f"remove_{name}_{member_name}",
                entity.name,
                "unlink",
                rules["update"],
                204,
                f"Detach {_article(target.title.lower())} from {a_label}",
                tag,
                relation=relation.name,
            ),
        ]
    return tuple(routes)
