"""What clients may send about jobs: list parameters."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.core.pagination import PageParams

JobStatus = Literal["queued", "running", "done", "dead"]
JobName = Literal["receipt", "dispatch_note"]


class JobQuery(PageParams):
    """Paging and filters of the job list (always newest first); ``status=dead``: the dead letters."""

    status: Annotated[
        JobStatus | None,
        Field(description="Only jobs in this state; `dead` lists the dead letters."),
    ] = None
    name: Annotated[JobName | None, Field(description="Only this job.")] = None
