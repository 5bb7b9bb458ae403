"""What clients may send about jobs: list parameters."""

from __future__ import annotations

from typing import Literal

from app.core.pagination import PageParams

JobStatus = Literal["queued", "running", "done", "dead"]
JobName = Literal["escalate_overdue", "notify_assignee"]


class JobQuery(PageParams):
    """Paging and filters of the job list (always newest first); ``status=dead``: the dead letters."""

    status: JobStatus | None = None
    name: JobName | None = None
