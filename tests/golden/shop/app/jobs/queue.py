"""The jobs of the service and ``enqueue``, the one call a write makes to start them.

``enqueue`` adds one row per job that runs on the event, on the caller's connection
and inside its transaction, without committing: the rows commit with the write that
caused them, or vanish with it when it rolls back. A worker (app/jobs/worker.py) runs
them after the transaction commits, never before. With JOBS_ENGINE=pgqueuer each row
is also handed to pgqueuer (app/jobs/pgq.py) in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.core.responses import dumps
from app.jobs import pgq
from app.jobs.mail import MailSender
from app.repositories import jobs as repo
from app.repositories.base import Row, utcnow


@dataclass(frozen=True)
class JobDefinition:
    """How one job runs; durations are in seconds.

    ``event`` or ``every`` starts it; ``delay`` holds an event's job back. A failed run
    is retried until ``attempts`` runs were made, ``backoff`` x 2^n apart (with jitter);
    a run may last ``timeout``.
    """

    name: str
    event: str | None = None
    every: float | None = None
    delay: float = 0
    attempts: int = 3
    backoff: float = 10
    timeout: float = 60


@dataclass(frozen=True)
class JobContext:
    """What a handler gets: the job, which attempt this is, and the service's resources."""

    id: uuid.UUID
    name: str
    payload: dict[str, Any]
    attempt: int  # 1 for the first run
    engine: AsyncEngine
    mail: MailSender


Handler = Callable[[JobContext], Awaitable[None]]

JOBS: dict[str, JobDefinition] = {
    "receipt": JobDefinition(
        "receipt",
        event="order.paid",
        delay=0,
        attempts=3,
        backoff=10,
        timeout=60,
    ),
    "dispatch_note": JobDefinition(
        "dispatch_note",
        event="order.shipped",
        delay=0,
        attempts=5,
        backoff=10,
        timeout=60,
    ),
}
# Each event and the jobs that run on it.
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "order.paid": ("receipt",),
    "order.shipped": ("dispatch_note",),
}


async def enqueue(db: AsyncConnection, event: str, payload: Mapping[str, Any]) -> list[uuid.UUID]:
    """Queue every job that runs on ``event`` in the caller's transaction (not committed).

    ``payload`` is stored as JSON: UUIDs and decimals as strings, datetimes in ISO 8601.
    Returns the new jobs' ids, none when no job runs on ``event``.
    """
    names = SUBSCRIPTIONS.get(event, ())
    now = utcnow()
    data = orjson.loads(dumps(dict(payload)))
    rows = [
        {
            "id": uuid.uuid4(),
            "name": name,
            "payload": data,
            "run_after": now + timedelta(seconds=JOBS[name].delay),
        }
        for name in names
    ]
    await repo.insert_jobs(db, rows, now=now)
    if pgq.uses_pgqueuer(db):
        await pgq.push(db, [(row["name"], row["id"], JOBS[row["name"]].delay) for row in rows])
    return [row["id"] for row in rows]


async def requeue(db: AsyncConnection, job_id: uuid.UUID) -> Row | None:
    """Queue a dead job to run now, attempts counted afresh (not committed); None unless dead."""
    job = await repo.requeue(db, job_id, now=utcnow())
    if job is not None and pgq.uses_pgqueuer(db):
        await pgq.push(db, [(job["name"], job_id, 0)])
    return job


async def add_scheduled(db: AsyncConnection, job_id: uuid.UUID, name: str) -> bool:
    """Queue a scheduled run due now unless ``job_id`` exists (not committed); whether added."""
    added = await repo.insert_scheduled(db, job_id=job_id, name=name, now=utcnow())
    if added and pgq.uses_pgqueuer(db):
        await pgq.push(db, [(name, job_id, 0)])
    return added
