"""The engine that runs the jobs, per JOBS_ENGINE: the table worker, or pgqueuer.

With ``pgqueuer`` (PostgreSQL only) a worker holds one asyncpg connection of its own:
it LISTENs there for new jobs and picks them with ``FOR UPDATE SKIP LOCKED``, so any
number of workers run each job once. While a job runs its worker beats a heartbeat; a
job whose worker died (no heartbeat for JOBS_LEASE_SECONDS) is picked again by another.

Each run is recorded in the jobs table exactly as the table worker records it: the row
is taken as a new attempt, then done, queued again with its last error (pgqueuer is
asked for the retry after the same jittered backoff, ``RetryRequested``), or dead once
its attempts are used up (the pgqueuer job then finishes). Replays and scheduled runs
hand pgqueuer a job in the transaction that queues the row (app/jobs/queue.py).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from contextlib import suppress
from datetime import timedelta

from pgqueuer import AsyncpgDriver, Queries, QueueManager, RetryRequested
from pgqueuer.models import Job as QueuedJob
from pgqueuer.types import QueueEntrypoint
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.jobs import pgq
from app.jobs.mail import MailSender
from app.jobs.queue import Handler, JobDefinition
from app.jobs.worker import Worker
from app.repositories import jobs as repo
from app.repositories.base import Row, utcnow

logger = logging.getLogger(__name__)

BATCH = 5  # jobs picked per query
MAX_RUNNING = 10  # jobs one worker runs at once; each uses a pooled connection briefly


def create_worker(
    engine: AsyncEngine,
    settings: Settings,
    *,
    handlers: Mapping[str, Handler] | None = None,
    jobs: Mapping[str, JobDefinition] | None = None,
    mail: MailSender | None = None,
) -> Worker:
    """A worker of the configured engine (``settings.jobs_engine``)."""
    kind = QueueWorker if settings.jobs_engine == "pgqueuer" else Worker
    return kind(engine, settings, handlers=handlers, jobs=jobs, mail=mail)


class QueueWorker(Worker):
    """Runs jobs that pgqueuer hands out, one entrypoint per job, until stopped."""

    def __init__(
        self,
        engine: AsyncEngine,
        settings: Settings,
        *,
        handlers: Mapping[str, Handler] | None = None,
        jobs: Mapping[str, JobDefinition] | None = None,
        mail: MailSender | None = None,
    ) -> None:
        super().__init__(engine, settings, handlers=handlers, jobs=jobs, mail=mail)
        self.ran = 0
        self._manager: QueueManager | None = None

    async def run(self) -> None:
        """Run jobs until ``stop()``; the jobs running then are finished first."""
        scheduling = asyncio.create_task(self._keep_scheduling())
        try:
            while not self._stopping.is_set():
                try:
                    await self._serve()
                except Exception:
                    logger.exception("job worker %s: pgqueuer stopped; restarting", self.id)
                    with suppress(TimeoutError):
                        await asyncio.wait_for(self._stopping.wait(), self.poll_interval)
        finally:
            scheduling.cancel()
            with suppress(asyncio.CancelledError):
                await scheduling

    def stop(self) -> None:
        """Ask the worker to stop once its running jobs are done."""
        super().stop()
        if self._manager is not None:
            self._manager.shutdown.set()

    async def run_until_idle(self) -> int:
        """Run due jobs until none is left; how many ran (``worker --once``, tests)."""
        await self.schedule()
        serving = asyncio.create_task(self.run())
        try:
            done: set[asyncio.Task[None]] = set()
            while not done and await self._busy():
                done, _ = await asyncio.wait({serving}, timeout=self.poll_interval)
        finally:
            self.stop()
            await serving
        return self.ran

    async def _busy(self) -> bool:
        manager = self._manager
        if manager is None or manager.job_context:
            return True
        names = [QueueEntrypoint(name) for name in self.jobs]
        return await manager.queries.eligible_queued_work(names) > 0

    async def _serve(self) -> None:
        connection = await pgq.connect(self.engine)
        try:
            manager = QueueManager(Queries(AsyncpgDriver(connection)))
            for name in self.jobs:
                manager.entrypoint(name, accepts_context=False)(self._execute)
            self._manager = manager
            if self._stopping.is_set():
                return
            await manager.run(
                dequeue_timeout=timedelta(seconds=self.poll_interval),
                batch_size=BATCH,
                max_concurrent_tasks=MAX_RUNNING,
                heartbeat_timeout=timedelta(seconds=self.lease),
            )
        finally:
            self._manager = None
            await connection.close()

    async def _keep_scheduling(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.schedule()
            except Exception:
                logger.exception("job worker %s: could not queue the scheduled jobs", self.id)
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.poll_interval)

    async def _execute(self, queued: QueuedJob) -> None:
        """Run our job that ``queued`` carries; a failure with attempts left is retried."""
        job_id = pgq.job_id_of(queued.payload)
        delay: float | None = None
        try:
            row = await self._take(job_id) if job_id is not None else None
            if row is not None:
                self.ran += 1
                delay = await self._run(row)
        except Exception as exc:  # the jobs table is unreachable: pgqueuer keeps the job
            logger.exception("job %s: could not record its run; retrying later", job_id)
            raise RetryRequested(delay=timedelta(seconds=self.lease), reason=str(exc)) from exc
        if row is None:
            logger.warning(
                "pgqueuer job %s (%s): job %s is not queued; dropped",
                queued.id, queued.entrypoint, job_id,
            )  # fmt: skip
        elif delay is not None:
            reason = f"attempt {row['attempts']} of job {row['id']} failed"
            raise RetryRequested(delay=timedelta(seconds=delay), reason=reason)

    async def _take(self, job_id: uuid.UUID) -> Row | None:
        now = utcnow()
        lease_until = now + timedelta(seconds=self.lease)
        async with self.engine.begin() as db:
            return await repo.take(db, job_id, worker=self.id, now=now, lease_until=lease_until)
