"""The error codes every generated service uses, with their HTTP status and meaning."""

from __future__ import annotations

from backend_agent.design.blueprint import Blueprint

__all__ = ["ACTION_ERRORS", "DOMAIN_ERROR", "ERROR_CODES", "TRANSITION_ERRORS", "error_codes"]

ERROR_CODES: dict[str, tuple[int, str]] = {
    "VALIDATION_ERROR": (422, "The request body, path or query is not valid; see details."),
    "NOT_FOUND": (404, "No such resource, or it is not visible to the caller."),
    "METHOD_NOT_ALLOWED": (405, "The path exists but not with this method."),
    "AUTHENTICATION_REQUIRED": (401, "No bearer token was sent."),
    "INVALID_TOKEN": (401, "The token is malformed, expired or its session was revoked."),
    "INVALID_CREDENTIALS": (401, "Wrong email or password (never says which)."),
    "REFRESH_TOKEN_REUSED": (
        401,
        "A used refresh token was presented again: its session is revoked; sign in again.",
    ),
    "FORBIDDEN": (403, "Signed in, but the role or ownership does not allow this."),
    "CORS_ORIGIN_DENIED": (403, "A CORS preflight from an origin or with a method not allowed."),
    "CONFLICT": (409, "A unique value is taken, or other rows still refer to this one."),
    "EMAIL_TAKEN": (409, "An account with this email already exists."),
    "PRECONDITION_FAILED": (412, "If-Match names a version other than the current one."),
    "IDEMPOTENCY_KEY_REUSED": (422, "This Idempotency-Key was used for a different request."),
    "PAYLOAD_TOO_LARGE": (413, "The request body is larger than the service accepts."),
    "UNSUPPORTED_MEDIA_TYPE": (
        415,
        "The request has a body that is not JSON: send Content-Type: application/json.",
    ),
    "ACCOUNT_LOCKED": (429, "Too many failed logins; retry after the Retry-After delay."),
    "RATE_LIMITED": (429, "Too many requests; retry after the Retry-After delay."),
    "INTERNAL_ERROR": (500, "An unexpected error; the response carries a request id to report."),
    "SERVICE_UNAVAILABLE": (
        503,
        "The database cannot serve now (down, restarting, frozen, out of connections);"
        " retry after the Retry-After delay.",
    ),
    "TIMEOUT": (
        504,
        "The request ran past REQUEST_TIMEOUT and was abandoned; a write may or may not have"
        " been applied: retry with the same Idempotency-Key.",
    ),
}

# The codes of the operations a service has only when its spec declares them.
TRANSITION_ERRORS: dict[str, tuple[int, str]] = {
    "INVALID_TRANSITION": (
        409,
        "The row is not in a state this transition starts from; the message names its state.",
    ),
}


# An action whose handler the owner has not written (or removed).
ACTION_ERRORS: dict[str, tuple[int, str]] = {
    "NOT_IMPLEMENTED": (
        501,
        "The action's handler is not in app/domain yet: the service cannot perform it.",
    ),
}
# A hook's refusal (app/core/hooks.py), unless it raises a code the spec declares.
DOMAIN_ERROR = {"DOMAIN_ERROR": (422, "A hook of the service refused the request; see message.")}


def error_codes(blueprint: Blueprint) -> dict[str, tuple[int, str]]:
    """The error codes of ``blueprint``'s service: every service's, its features', and
    those its spec declares for its hooks."""
    codes = {**ERROR_CODES, **DOMAIN_ERROR}
    if any(entity.transitions for entity in blueprint.entities):
        codes.update(TRANSITION_ERRORS)
    if any(entity.actions for entity in blueprint.entities):
        codes.update(ACTION_ERRORS)
    codes.update({code: (status, text) for code, status, text in blueprint.domain_errors})
    return codes
