"""What each operation does and who may call it, in words: the OpenAPI descriptions."""

from __future__ import annotations

from backend_agent.design.blueprint import Blueprint, Route, Rule

__all__ = ["TAG_DESCRIPTIONS", "operation_description", "reads_token"]

TAG_DESCRIPTIONS = {
    "health": "Liveness and readiness probes for the platform that runs the service.",
    "auth": "Accounts, sessions and bearer tokens.",
    "audit": "The audit log: who wrote what, and when.",
}

# What the operations that are not an entity's do.
_FIXED = {
    "health_live": "Answers while the process runs; it checks no dependency.",
    "health_ready": "Checks every dependency and says how long each check took.",
    "auth_register": "Creates an account with the default role; the password must follow "
    "the policy of `Credentials`.",
    "auth_login": "Returns an access token and a refresh token for the email and password.",
    "auth_refresh": "Exchanges a refresh token for a new pair; each refresh token works once.",
    "auth_logout": "Ends the session of the access token sent.",
    "auth_logout_all": "Ends every session of the signed-in user, on every device.",
    "auth_password": "Checks the current password, sets the new one, ends every session and "
    "returns the tokens of a new one.",
    "auth_me": "Returns the account of the access token sent.",
    "audit_list": "Every write (create, update, delete, link) with its actor and request id.",
    "jobs_list": "Jobs of the queue, filtered by state or name; `status=dead` lists the "
    "dead letters.",
    "jobs_read": "One job with its payload, attempts and last error.",
    "jobs_replay": "Queues a dead job to run now with a fresh count of attempts.",
}


def reads_token(route: Route) -> bool:
    """Whether an operation open to anyone still reads a bearer token when one is sent.

    Entity operations know their caller when there is one (ownership, idempotency keys);
    a bad token there is a 401, never anonymous. Health and sign-in routes ignore tokens.
    """
    return route.entity is not None


def _who(rule: Rule, route: Route) -> str:
    roles = " or ".join(f"`{role}`" for role in rule.roles)
    if rule.kind == "anyone":
        if reads_token(route):
            return "Open to anyone; a bearer token is optional, and an invalid one is refused."
        return "Open to anyone; no token is needed."
    if rule.kind == "authenticated":
        return "Any signed-in user."
    if rule.kind == "roles":
        return f"Signed-in users with the role {roles}."
    if rule.kind == "owner":
        return "Signed-in users, on the rows they own."
    return f"Signed-in users on the rows they own; the role {roles} on any row."


def _what(blueprint: Blueprint, route: Route) -> str:
    if route.entity is None:
        return _FIXED[route.action]
    entity = blueprint.entity(route.entity)
    label = entity.title.lower()
    action = route.action
    if action in ("list", "list_nested", "list_related"):
        return (
            "A page of rows (`page`, `limit`), in the order `sort` names; "
            "the other query parameters narrow the rows."
        )
    if action == "read":
        return f"One {label} by id, with its ETag."
    if action in ("create", "create_nested"):
        return (
            f"Creates one {label}; a signed-in caller's retry with the same Idempotency-Key "
            "gets the first answer back instead of a second write."
        )
    if action == "replace":
        return f"Sets every writable field of the {label}; If-Match guards against lost updates."
    if action == "update":
        return "Changes only the fields sent; If-Match guards against lost updates."
    if action == "delete":
        how = "marks it deleted (it is hidden from then on)" if entity.soft_delete else "removes it"
        return f"Deletes the {label}: {how}."
    if action == "link":
        return "Links the two rows; linking them again changes nothing."
    if action == "transition":
        move = entity.transition(route.transition or "")
        sources = " or ".join(f"`{state}`" for state in move.sources)
        what = (
            f"Moves the {label}'s `{move.field}` from {sources} to `{move.target}`, atomically: "
            "of two concurrent calls, one moves it and the other gets 409 INVALID_TRANSITION "
            "naming the current state. If-Match guards against acting on a stale version."
        )
        return f"{move.description} {what}" if move.description else what
    if action == "custom":
        action_ = next(a for a in entity.actions if a.name == route.custom)
        what = (
            f"Runs `{action_.name}` of app/domain/{entity.snake}.py on the {label}, in one "
            f"transaction, and answers the {label} as it left it (501 NOT_IMPLEMENTED while "
            "the handler is not written)."
        )
        return f"{action_.description} {what}" if action_.description else what
    return "Unlinks the two rows; the rows themselves stay."


def operation_description(blueprint: Blueprint, route: Route) -> str:
    """What the operation does, then who may call it."""
    return f"{_what(blueprint, route)} {_who(route.rule, route)}"
