"""The worker: runs due jobs, retries failed ones with backoff, buries the hopeless.

Run as many workers as you like (``python -m app.cli worker``, or one inside the app
with JOBS_IN_PROCESS=true): a job runs in one worker at a time. A worker claims a due
job under a lease (``locked_until``) in one short transaction: PostgreSQL skips the
rows other workers are claiming (``FOR UPDATE SKIP LOCKED``), SQLite runs the claiming
UPDATE under its write lock. The worker renews the lease while the handler runs; if it
is killed, the lease lapses and another worker claims the job again, as a new attempt.

A failed run is retried after backoff x 2^(attempt - 1) seconds, with jitter, until the
job's attempts are used up; the job is then ``dead`` with its last error, until an
admin replays it (``POST /jobs/{id}/replay`` or ``python -m app.cli jobs replay``).

This is the table engine (JOBS_ENGINE=table, the default): the worker polls the jobs
table. app/jobs/engines.py runs the same jobs with pgqueuer instead.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import secrets
import socket
import uuid
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import timedelta
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.jobs.handlers import HANDLERS
from app.jobs.mail import MailSender, OutboxSender
from app.jobs.queue import JOBS, Handler, JobContext, JobDefinition, add_scheduled
from app.repositories import jobs as repo
from app.repositories.base import Row, utcnow

logger = logging.getLogger(__name__)

MAX_BACKOFF = 24 * 3600.0
MAX_ERROR_LENGTH = 2000
# Scheduled runs get the same id in every worker: uuid5(this, "<job>:<period>").
SCHEDULE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "app.jobs.schedule")
_random = secrets.SystemRandom()


def retry_delay(
    attempt: int, backoff: float, *, rand: Callable[[], float] = _random.random
) -> float:
    """Seconds to wait after failed ``attempt`` (1, 2, ...) before the next run.

    Between half and all of backoff x 2^(attempt - 1) ("equal jitter"): workers that
    failed together do not retry together, and no wait is shorter than the one before.
    """
    ceiling = min(backoff * 2.0 ** (attempt - 1), MAX_BACKOFF)
    return ceiling / 2 + rand() * ceiling / 2


def describe(error: BaseException, timeout: float) -> str:
    """The last_error of a failed run: the exception's type and message."""
    if isinstance(error, TimeoutError):
        return f"TimeoutError: the run took longer than {timeout:g}s"
    return f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]


def load_handlers(path: str) -> Mapping[str, Handler]:
    """The handlers named ``module:attribute``, such as ``app.jobs.handlers:HANDLERS``."""
    module, _, attribute = path.partition(":")
    handlers = getattr(importlib.import_module(module), attribute or "HANDLERS")
    return cast(Mapping[str, Handler], handlers)


class Worker:
    """Claims and runs due jobs, one at a time, until stopped.

    ``handlers``, ``jobs`` and ``mail`` default to the service's own; tests pass others.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        settings: Settings,
        *,
        handlers: Mapping[str, Handler] | None = None,
        jobs: Mapping[str, JobDefinition] | None = None,
        mail: MailSender | None = None,
    ) -> None:
        self.engine = engine
        self.handlers = HANDLERS if handlers is None else handlers
        self.jobs = JOBS if jobs is None else jobs
        self.mail = mail or OutboxSender(engine)
        self.lease = settings.jobs_lease_seconds
        self.poll_interval = settings.jobs_poll_interval
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._scheduled: dict[str, int] = {}  # job -> the last period queued
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- running ---------------------------------------------------------------------

    async def run(self) -> None:
        """Run jobs until ``stop()``; a job running then is finished first."""
        while not self._stopping.is_set():
            try:
                await self.schedule()
                ran = await self.run_once()
            except Exception:
                logger.exception("job worker %s: the queue is unreachable; retrying", self.id)
                ran = False
            if not ran:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.poll_interval)

    def start(self) -> asyncio.Task[None]:
        """Run in the background of the current event loop (the app's lifespan)."""
        self._task = asyncio.create_task(self.run(), name=f"job worker {self.id}")
        return self._task

    def stop(self) -> None:
        """Ask the worker to stop once its current job is done."""
        self._stopping.set()

    async def shutdown(self) -> None:
        """Stop, and wait for the job running now to finish."""
        self.stop()
        if self._task is not None:
            await self._task

    async def run_until_idle(self) -> int:
        """Run due jobs until none is left; how many ran (``worker --once``, tests)."""
        await self.schedule()
        count = 0
        while await self.run_once():
            count += 1
        return count

    async def run_once(self) -> bool:
        """Claim one due job and run it; False when none is due."""
        now = utcnow()
        async with self.engine.begin() as db:
            job = await repo.claim(
                db, worker=self.id, now=now, lease_until=now + timedelta(seconds=self.lease)
            )
        if job is None:
            return False
        await self._run(job)
        return True

    async def schedule(self) -> int:
        """Queue each scheduled job once per period, even with many workers; how many."""
        now = utcnow()
        added = 0
        for job in self.jobs.values():
            if job.every is None:
                continue
            period = int(now.timestamp() // job.every)
            if self._scheduled.get(job.name) == period:
                continue
            job_id = uuid.uuid5(SCHEDULE_NAMESPACE, f"{job.name}:{period}")
            async with self.engine.begin() as db:
                added += await add_scheduled(db, job_id, job.name)
            self._scheduled[job.name] = period
        return added

    # -- one job ---------------------------------------------------------------------

    async def _run(self, job: Row) -> float | None:
        """Run a claimed job and record how it went; the seconds until its retry, if any."""
        definition = self.jobs.get(job["name"])
        handler = self.handlers.get(job["name"])
        if definition is None or handler is None:
            await self._bury(job, f"no handler for the job {job['name']!r}")
            return None
        if job["attempts"] > definition.attempts:
            # The worker of its last attempt died: that attempt counted, none is left.
            await self._bury(job, job["last_error"] or "its worker stopped during the last attempt")
            return None
        context = JobContext(
            id=job["id"],
            name=job["name"],
            payload=dict(job["payload"] or {}),
            attempt=job["attempts"],
            engine=self.engine,
            mail=self.mail,
        )
        lease = asyncio.create_task(self._keep_lease(job["id"]))
        error: str | None = None
        try:
            async with asyncio.timeout(definition.timeout):
                await handler(context)
        except Exception as exc:
            error = describe(exc, definition.timeout)
        finally:
            lease.cancel()
            with suppress(asyncio.CancelledError):
                await lease
        if error is None:
            await self._update(job, repo.finish)
            return None
        if job["attempts"] < definition.attempts:
            delay = retry_delay(job["attempts"], definition.backoff)
            logger.warning(
                "job %s %s failed (attempt %d of %d), retrying in %.1fs: %s",
                job["name"],
                job["id"],
                job["attempts"],
                definition.attempts,
                delay,
                error,
            )
            run_after = utcnow() + timedelta(seconds=delay)
            held = await self._update(job, repo.retry, run_after=run_after, error=error)
            return delay if held else None
        await self._bury(job, error)
        return None

    async def _bury(self, job: Row, error: str) -> None:
        logger.error(
            "job %s %s is dead after %d attempts: %s",
            job["name"],
            job["id"],
            job["attempts"],
            error,
        )
        await self._update(job, repo.bury, error=error)

    async def _update(self, job: Row, change: Callable[..., Any], **values: Any) -> bool:
        async with self.engine.begin() as db:
            held = bool(await change(db, job["id"], worker=self.id, now=utcnow(), **values))
        if not held:
            logger.warning(
                "job %s %s: the lease was lost to another worker", job["name"], job["id"]
            )
        return held

    async def _keep_lease(self, job_id: uuid.UUID) -> None:
        """Renew the lease every third of its length while the handler runs."""
        while True:
            await asyncio.sleep(self.lease / 3)
            now = utcnow()
            try:
                async with self.engine.begin() as db:
                    await repo.renew(
                        db,
                        job_id,
                        worker=self.id,
                        now=now,
                        lease_until=now + timedelta(seconds=self.lease),
                    )
            except Exception:
                logger.exception("job %s: could not renew the lease", job_id)
