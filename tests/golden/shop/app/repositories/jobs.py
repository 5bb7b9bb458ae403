"""Queries on the job queue and the mail outbox.

The worker's statements are guarded by its id (``locked_by``): a worker that lost its
lease to another one can no longer finish, retry or bury the job.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Table, and_, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models.base import table_of
from app.models.jobs import Job, MailMessage
from app.repositories.base import EQ, Filter, Row, fetch_one, fetch_page, where_filters

jobs = table_of(Job)
outbox = table_of(MailMessage)

COLUMNS = (
    jobs.c.id,
    jobs.c.name,
    jobs.c.payload,
    jobs.c.status,
    jobs.c.attempts,
    jobs.c.run_after,
    jobs.c.locked_until,
    jobs.c.locked_by,
    jobs.c.last_error,
    jobs.c.finished_at,
    jobs.c.created_at,
    jobs.c.updated_at,
)
FILTERS: dict[str, Filter] = {
    "status": (jobs.c.status, EQ),
    "name": (jobs.c.name, EQ),
}


def _insert_ignoring_duplicates(db: AsyncConnection, table: Table, key: str) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` in the connection's SQL dialect."""
    dialect_insert: dict[str, Callable[[Table], Any]] = {
        "postgresql": postgresql.insert,
        "sqlite": sqlite.insert,
    }
    statement: Insert = dialect_insert[db.dialect.name](table).on_conflict_do_nothing(
        index_elements=[key]
    )
    return statement


async def insert_jobs(db: AsyncConnection, rows: Sequence[Row], *, now: datetime) -> None:
    """Add queued jobs (``id``, ``name``, ``payload``, ``run_after``) to the transaction."""
    if rows:
        stamps = {"status": "queued", "attempts": 0, "created_at": now, "updated_at": now}
        await db.execute(insert(jobs), [{**row, **stamps} for row in rows])


async def insert_scheduled(
    db: AsyncConnection, *, job_id: uuid.UUID, name: str, now: datetime
) -> bool:
    """Queue a scheduled run, due now, unless a row with its id exists; whether it was added."""
    statement = _insert_ignoring_duplicates(db, jobs, "id").values(
        id=job_id,
        name=name,
        payload={},
        status="queued",
        attempts=0,
        run_after=now,
        created_at=now,
        updated_at=now,
    )
    result = await db.execute(statement)
    return result.rowcount == 1


async def claim(
    db: AsyncConnection, *, worker: str, now: datetime, lease_until: datetime
) -> Row | None:
    """Take the next due job under a lease, as a new attempt; ``None`` when none is due.

    Due: queued and past ``run_after``, or running under a lease that lapsed (its
    worker died). On PostgreSQL, rows other workers are claiming are skipped, not
    waited for; SQLite runs the one statement under its write lock.
    """
    candidate = jobs.alias("candidate")
    due = or_(
        and_(candidate.c.status == "queued", candidate.c.run_after <= now),
        and_(candidate.c.status == "running", candidate.c.locked_until < now),
    )
    next_id = (
        select(candidate.c.id)
        .where(due)
        .order_by(candidate.c.run_after, candidate.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(jobs)
        .where(jobs.c.id == next_id)
        .values(
            status="running",
            attempts=jobs.c.attempts + 1,
            locked_until=lease_until,
            locked_by=worker,
            updated_at=now,
        )
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def take(
    db: AsyncConnection, job_id: uuid.UUID, *, worker: str, now: datetime, lease_until: datetime
) -> Row | None:
    """Take one queued or running job as a new attempt (pgqueuer picked it); else ``None``.

    A running job is taken over: pgqueuer hands it out again only when the heartbeat of
    the worker running it stopped.
    """
    statement = (
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status.in_(("queued", "running")))
        .values(
            status="running",
            attempts=jobs.c.attempts + 1,
            locked_until=lease_until,
            locked_by=worker,
            updated_at=now,
        )
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


def _held(job_id: uuid.UUID, worker: str) -> list[Any]:
    return [jobs.c.id == job_id, jobs.c.status == "running", jobs.c.locked_by == worker]


async def _update_held(db: AsyncConnection, job_id: uuid.UUID, worker: str, **values: Any) -> bool:
    result = await db.execute(update(jobs).where(*_held(job_id, worker)).values(**values))
    return result.rowcount == 1


async def renew(
    db: AsyncConnection, job_id: uuid.UUID, *, worker: str, now: datetime, lease_until: datetime
) -> bool:
    """Extend the lease of a job this worker runs; False when it lost the job."""
    return await _update_held(db, job_id, worker, locked_until=lease_until, updated_at=now)


async def finish(db: AsyncConnection, job_id: uuid.UUID, *, worker: str, now: datetime) -> bool:
    """Mark the job done."""
    return await _update_held(
        db,
        job_id,
        worker,
        status="done",
        locked_until=None,
        last_error=None,
        finished_at=now,
        updated_at=now,
    )


async def retry(
    db: AsyncConnection,
    job_id: uuid.UUID,
    *,
    worker: str,
    now: datetime,
    run_after: datetime,
    error: str,
) -> bool:
    """Queue the job again for ``run_after``, keeping why this run failed."""
    return await _update_held(
        db,
        job_id,
        worker,
        status="queued",
        run_after=run_after,
        locked_until=None,
        last_error=error,
        updated_at=now,
    )


async def bury(
    db: AsyncConnection, job_id: uuid.UUID, *, worker: str, now: datetime, error: str
) -> bool:
    """Mark the job dead with its last error: it waits for a replay."""
    return await _update_held(
        db,
        job_id,
        worker,
        status="dead",
        locked_until=None,
        last_error=error,
        finished_at=now,
        updated_at=now,
    )


async def requeue(db: AsyncConnection, job_id: uuid.UUID, *, now: datetime) -> Row | None:
    """Queue a dead job to run now with a fresh count of attempts; ``None`` unless dead."""
    statement = (
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status == "dead")
        .values(status="queued", attempts=0, run_after=now, finished_at=None, updated_at=now)
        .returning(*COLUMNS)
    )
    return await fetch_one(db, statement)


async def get_job(db: AsyncConnection, job_id: uuid.UUID) -> Row | None:
    """One job, or ``None``."""
    return await fetch_one(db, select(*COLUMNS).where(jobs.c.id == job_id))


async def list_jobs(
    db: AsyncConnection, *, filters: dict[str, Any], page: int, limit: int
) -> tuple[list[Row], int]:
    """One page of jobs, newest first, and the total."""
    statement = select(*COLUMNS).where(*where_filters(FILTERS, filters))
    order = [jobs.c.created_at.desc(), jobs.c.id.desc()]
    return await fetch_page(db, statement, order=order, page=page, limit=limit)


async def insert_mail(
    db: AsyncConnection,
    *,
    job_id: uuid.UUID,
    recipient: str,
    subject: str,
    body: str,
    now: datetime,
) -> bool:
    """Add a mail to the outbox unless the job already sent one; whether it was added."""
    statement = _insert_ignoring_duplicates(db, outbox, "job_id").values(
        id=uuid.uuid4(),
        job_id=job_id,
        recipient=recipient,
        subject=subject,
        body=body,
        created_at=now,
    )
    result = await db.execute(statement)
    return result.rowcount == 1
