"""The job queue as admins see it: list, inspect and replay jobs, dead ones above all.

Only the admin role may; the payloads and errors of jobs are internal.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import Conflict, NotFoundError
from app.core.permissions import Rule, authorize
from app.jobs.queue import requeue
from app.repositories import jobs as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.jobs import JobQuery

RULE = Rule("roles", frozenset({"admin"}))


async def list_jobs(
    db: AsyncConnection, user: AuthUser | None, query: JobQuery
) -> tuple[list[Row], int]:
    """A page of jobs, newest first."""
    authorize(RULE, user)
    return await repo.list_jobs(db, filters=query.filters(), page=query.page, limit=query.limit)


async def get_job(db: AsyncConnection, user: AuthUser | None, job_id: uuid.UUID) -> Row:
    """One job, with its payload and last error."""
    authorize(RULE, user)
    job = await repo.get_job(db, job_id)
    if job is None:
        raise NotFoundError("No such job.")
    return job


async def replay(db: AsyncConnection, user: AuthUser | None, job_id: uuid.UUID) -> Row:
    """Queue a dead job to run now, with its attempts counted afresh."""
    authorize(RULE, user)
    job = await requeue(db, job_id)
    if job is None:
        await get_job(db, user, job_id)  # 404 when there is no such job
        raise Conflict("Only a dead job can be replayed.")
    await db.commit()
    return job
