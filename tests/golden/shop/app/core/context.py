"""What the current request is, for code far from the HTTP layer (logs, audit rows)."""

from __future__ import annotations

from contextvars import ContextVar

# Set by RequestContextMiddleware for the duration of each request; tasks and threads
# started from the request inherit it.
request_id_var: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request being served, or ``""`` outside a request (CLI, tests)."""
    return request_id_var.get()
