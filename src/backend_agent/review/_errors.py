"""The reviewer's user error, a kind of ``BackendAgentError`` (exit code 2)."""

from __future__ import annotations

from backend_agent.errors import BackendAgentError

__all__ = ["ReviewError"]


class ReviewError(BackendAgentError):
    """The review cannot run as asked: a missing path, an unknown code, a bad config."""
