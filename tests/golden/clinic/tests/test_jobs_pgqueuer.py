"""Jobs on the pgqueuer engine: what tests/test_jobs.py proves of the table worker.

These run when the suite runs on PostgreSQL with JOBS_ENGINE=pgqueuer (the tables are
emptied before each test, pgqueuer's queue too); they are skipped otherwise.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from anyio import to_thread
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

import app as app_package
from app.cli import main
from app.jobs import pgq
from app.jobs.engines import QueueWorker, create_worker
from app.jobs.mail import Mail
from app.jobs.queue import JOBS, Handler, JobContext, enqueue
from app.jobs.worker import Worker
from app.main import create_app
from app.repositories import jobs as repo
from app.repositories.base import Row
from tests.conftest import DATABASE_URL, make_settings

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("one_job_per_event")]
needs_pgqueuer = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgresql") or os.environ.get("JOBS_ENGINE") != "pgqueuer",
    reason="needs DATABASE_URL on PostgreSQL and JOBS_ENGINE=pgqueuer",
)

SAMPLE = "send_appointment_reminder"  # the job the tests queue
EVENT = "appointment.created"
PAYLOAD = {"id": str(uuid.uuid4()), "user_id": str(uuid.uuid4()), "email": "ada@example.com"}
PROJECT = Path(app_package.__file__).resolve().parents[1]
QUEUE = pgq.queue_table()


@pytest.fixture(autouse=True)
async def _empty_queue(engine: AsyncEngine) -> None:
    if DATABASE_URL.startswith("postgresql"):
        async with engine.begin() as db:
            await db.execute(QUEUE.delete())


def worker(engine: AsyncEngine, handler: Handler, **definition: Any) -> QueueWorker:
    """A pgqueuer worker that runs SAMPLE with ``handler``, changed by ``definition``."""
    settings = make_settings(jobs_engine="pgqueuer", jobs_poll_interval=0.05, jobs_lease_seconds=5)
    jobs = {SAMPLE: replace(JOBS[SAMPLE], **definition)}
    return QueueWorker(engine, settings, handlers={SAMPLE: handler}, jobs=jobs)


async def queue_sample(db: AsyncConnection) -> uuid.UUID:
    """Queue SAMPLE as the service does, in ``db``'s transaction."""
    (job_id,) = await enqueue(db, EVENT, PAYLOAD)
    return job_id


async def add_job(engine: AsyncEngine) -> uuid.UUID:
    """A committed job in both tables, due now."""
    async with engine.begin() as db:
        job_id = await queue_sample(db)
        await db.execute(repo.jobs.update().values(run_after=func.now()))
        await db.execute(QUEUE.update().values(execute_after=func.now()))
    return job_id


async def queued_on(db: AsyncConnection) -> list[tuple[str, str, str]]:
    """pgqueuer's jobs: (entrypoint, status, our job's id)."""
    rows = await db.execute(select(QUEUE.c.entrypoint, QUEUE.c.status, QUEUE.c.payload))
    return [(r.entrypoint, r.status, bytes(r.payload).decode()) for r in rows]


async def queued(engine: AsyncEngine) -> list[tuple[str, str, str]]:
    async with engine.connect() as db:
        return await queued_on(db)


async def job(engine: AsyncEngine, job_id: uuid.UUID) -> Row:
    async with engine.connect() as db:
        row = await repo.get_job(db, job_id)
    assert row is not None
    return row


async def mails(engine: AsyncEngine) -> int:
    async with engine.connect() as db:
        return int(await db.scalar(select(func.count()).select_from(repo.outbox)) or 0)


# A bound, not a speed: a worker is a process of its own, slow to start on a busy machine.
async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def status_is(engine: AsyncEngine, job_id: uuid.UUID, status: str) -> bool:
    return bool((await job(engine, job_id))["status"] == status)


async def send_mail(job: JobContext) -> None:
    await job.mail.send(Mail(job_id=job.id, to="ada@example.com", subject="Hi", body="Hello"))


def test_the_pgqueuer_engine_is_refused_on_sqlite() -> None:
    with pytest.raises(ValidationError, match="JOBS_ENGINE=pgqueuer needs PostgreSQL"):
        make_settings(jobs_engine="pgqueuer", database_url="sqlite+aiosqlite:///jobs.db")
    sqlite = make_settings(jobs_engine="table", database_url="sqlite+aiosqlite:///jobs.db")
    assert type(create_worker(None, sqlite)) is Worker  # type: ignore[arg-type]


@needs_pgqueuer
async def test_a_rolled_back_transaction_enqueues_nothing_in_either_queue(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as db:
        job_id = await queue_sample(db)
        assert await queued_on(db) == [(SAMPLE, "queued", job_id.hex)]  # seen inside it
        await db.rollback()
    assert await queued(engine) == []
    async with engine.connect() as db:
        assert await repo.get_job(db, job_id) is None


# Queues the sample job in a transaction, commits, and dies at once (kill -9).
COMMIT_AND_DIE = """
import asyncio, os, signal, sys
from app.core.config import Settings
from app.core.db import create_engine
from tests.test_jobs_pgqueuer import queue_sample

async def main() -> None:
    async with create_engine(Settings()).begin() as db:
        job_id = await queue_sample(db)
    sys.stdout.write(job_id.hex + "\\n")
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


@needs_pgqueuer
async def test_a_committed_transaction_enqueues_both_even_if_the_process_dies_then(
    engine: AsyncEngine,
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", COMMIT_AND_DIE, cwd=PROJECT, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode == -signal.SIGKILL
    job_id = uuid.UUID(out.decode().strip())
    assert await queued(engine) == [(SAMPLE, "queued", job_id.hex)]
    row = await job(engine, job_id)
    assert (row["name"], row["status"], row["attempts"]) == (SAMPLE, "queued", 0)
    held_back = func.extract("epoch", QUEUE.c.execute_after - QUEUE.c.created)
    async with engine.connect() as db:  # pgqueuer holds it back as long as we do
        wait = await db.scalar(select(held_back))
    assert wait is not None
    assert abs(float(wait) - JOBS[SAMPLE].delay) < 1


@needs_pgqueuer
async def test_a_worker_killed_in_the_middle_of_a_job_leaves_it_to_another(
    engine: AsyncEngine,
) -> None:
    if JOBS[SAMPLE].attempts < 2:
        pytest.skip("the job has a single attempt: a killed run leaves it dead")
    job_id = await add_job(engine)
    first = await _start_worker()
    try:  # its handler sent the mail, then hangs
        await eventually(lambda: _has_mail(engine))
        assert (await job(engine, job_id))["status"] == "running"
    finally:
        with suppress(ProcessLookupError):
            first.kill()
        await first.communicate()
    second = await _start_worker()
    try:  # pgqueuer hands the job out again once the dead worker's heartbeat is stale
        await eventually(lambda: status_is(engine, job_id, "done"))
        await eventually(lambda: _queue_is_empty(engine))
    finally:
        with suppress(ProcessLookupError):
            second.send_signal(signal.SIGTERM)
        _, errors = await second.communicate()
    assert second.returncode == 0, errors.decode()
    assert (await job(engine, job_id))["attempts"] == 2
    assert await mails(engine) == 1


async def _start_worker() -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "JOBS_ENGINE": "pgqueuer",
        "JOBS_LEASE_SECONDS": "1",
        "JOBS_POLL_INTERVAL": "0.05",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "worker",
        "--handlers",
        "tests.job_handlers:HANDLERS",
        cwd=PROJECT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def _has_mail(engine: AsyncEngine) -> bool:
    return await mails(engine) > 0


async def _queue_is_empty(engine: AsyncEngine) -> bool:
    return await queued(engine) == []


@needs_pgqueuer
async def test_a_failing_job_is_retried_by_pgqueuer_with_backoff_then_is_dead(
    engine: AsyncEngine,
) -> None:
    runs: list[float] = []

    async def always_fail(job: JobContext) -> None:
        runs.append(time.monotonic())
        raise RuntimeError(f"the mail server is down (attempt {job.attempt})")

    job_id = await add_job(engine)
    runner = worker(engine, always_fail, attempts=4, backoff=0.25)
    runner.start()
    try:
        await eventually(lambda: status_is(engine, job_id, "dead"))
        await eventually(lambda: _queue_is_empty(engine))  # the pgqueuer job finished
    finally:
        await runner.shutdown()
    row = await job(engine, job_id)
    assert row["attempts"] == 4
    assert row["last_error"] == "RuntimeError: the mail server is down (attempt 4)"
    gaps = [later - earlier for earlier, later in itertools.pairwise(runs)]
    assert len(gaps) == 3
    for n, gap in enumerate(gaps):
        # Equal jitter: at least half the ceiling, never sooner. A retry comes after its
        # delay plus a poll; a busy machine adds to that, so the upper bound only catches a
        # delay far too long (a wrong unit, a missing jitter cap).
        ceiling = 0.25 * 2**n
        assert ceiling / 2 <= gap <= ceiling + 2.0, gaps
    assert gaps[0] < gaps[2]


@needs_pgqueuer
async def test_replaying_a_dead_job_hands_it_to_pgqueuer_and_it_succeeds(
    engine: AsyncEngine,
) -> None:
    async def fail(_job: JobContext) -> None:
        raise RuntimeError("the mail server is down")

    job_id = await add_job(engine)
    assert await worker(engine, fail, attempts=1).run_until_idle() == 1
    assert (await job(engine, job_id))["status"] == "dead"
    assert await queued(engine) == []
    assert await worker(engine, send_mail).run_until_idle() == 0  # nothing left to run
    # The cause is fixed; an admin replays the job.
    assert await to_thread.run_sync(main, ["jobs", "replay", str(job_id)]) == 0
    assert await queued(engine) == [(SAMPLE, "queued", job_id.hex)]
    assert await worker(engine, send_mail).run_until_idle() == 1
    row = await job(engine, job_id)
    assert (row["status"], row["attempts"], row["last_error"]) == ("done", 1, None)
    assert await mails(engine) == 1
    assert await queued(engine) == []


@needs_pgqueuer
async def test_any_number_of_workers_run_each_job_once(engine: AsyncEngine) -> None:
    runs: list[uuid.UUID] = []

    async def tracked(job: JobContext) -> None:
        runs.append(job.id)
        await asyncio.sleep(0.02)

    job_ids = {await add_job(engine) for _ in range(12)}
    workers = [worker(engine, tracked, attempts=1) for _ in range(3)]
    done = await asyncio.gather(*(w.run_until_idle() for w in workers))
    assert sum(done) == 12
    assert sorted(runs) == sorted(job_ids)  # each job once


@needs_pgqueuer
async def test_scheduled_jobs_are_handed_to_pgqueuer_once_per_period(engine: AsyncEngine) -> None:
    every = {"event": None, "every": 3600, "delay": 0}
    workers = [worker(engine, send_mail, **every) for _ in range(3)]
    assert [await w.schedule() for w in workers] == [1, 0, 0]
    assert [(name, status) for name, status, _ in await queued(engine)] == [(SAMPLE, "queued")]
    assert await workers[1].run_until_idle() == 1
    assert await mails(engine) == 1


@needs_pgqueuer
async def test_the_app_runs_a_pgqueuer_worker_in_process(engine: AsyncEngine) -> None:
    settings = make_settings(jobs_in_process=True, jobs_engine="pgqueuer", jobs_poll_interval=0.05)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        job_id = await add_job(engine)
        await eventually(lambda: status_is(engine, job_id, "done"))
