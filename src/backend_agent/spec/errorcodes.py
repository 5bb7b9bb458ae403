"""The error codes a spec declares for its hooks, checked against the service's own.

A hook in ``app/domain`` refuses a request by raising a domain error; ``errors`` in the
spec names the codes (and statuses) beyond the built-in ``DOMAIN_ERROR`` (422). A code
the service already answers with (``NOT_FOUND``, ``CONFLICT``...) would make one code
mean two things to clients: refused.
"""

from __future__ import annotations

from backend_agent.errors import Problem
from backend_agent.spec.model import ServiceSpec
from backend_agent.spec.source import SourceMap

__all__ = ["RESERVED_ERROR_CODES", "check_error_codes", "class_name"]

# Every code a generated service answers with on its own (the design's error table).
RESERVED_ERROR_CODES = frozenset(
    {
        "ACCOUNT_LOCKED",
        "AUTHENTICATION_REQUIRED",
        "CONFLICT",
        "CORS_ORIGIN_DENIED",
        "DOMAIN_ERROR",
        "EMAIL_TAKEN",
        "FORBIDDEN",
        "IDEMPOTENCY_KEY_REUSED",
        "INTERNAL_ERROR",
        "INVALID_CREDENTIALS",
        "INVALID_TOKEN",
        "INVALID_TRANSITION",
        "METHOD_NOT_ALLOWED",
        "NOT_FOUND",
        "NOT_IMPLEMENTED",
        "PAYLOAD_TOO_LARGE",
        "PRECONDITION_FAILED",
        "RATE_LIMITED",
        "REFRESH_TOKEN_REUSED",
        "SERVICE_UNAVAILABLE",
        "TIMEOUT",
        "UNSUPPORTED_MEDIA_TYPE",
        "VALIDATION_ERROR",
    }
)


def check_error_codes(spec: ServiceSpec, source: SourceMap) -> list[Problem]:
    """A problem for each declared code the service already uses, or that names the same
    class as another (``OUT_OF_STOCK`` and ``OUT_OF__STOCK`` are both ``OutOfStock``)."""
    problems: list[Problem] = []
    classes: dict[str, str] = {}
    for code in spec.errors:
        if code in RESERVED_ERROR_CODES:
            problems.append(
                source.problem(
                    ("errors", code),
                    f"error code '{code}' is one the service answers with on its own",
                    suggestion="choose a code of your own, such as OUT_OF_STOCK",
                    key=True,
                )
            )
            continue
        name = class_name(code)
        if name in classes:
            problems.append(
                source.problem(
                    ("errors", code),
                    f"error codes '{classes[name]}' and '{code}' would both be the class {name}",
                    key=True,
                )
            )
        classes[name] = code
    return problems


def class_name(code: str) -> str:
    """The exception class of a code: ``OUT_OF_STOCK`` is ``OutOfStock``."""
    return "".join(part.capitalize() for part in code.split("_") if part)
