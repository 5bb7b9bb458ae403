"""Handlers for the worker processes of tests/test_jobs.py (``--handlers tests.job_handlers``).

Every job's first run sends its mail and then hangs, as if the work never ended: the
test kills that worker there. A later run sends the mail again and returns.
"""

from __future__ import annotations

import asyncio

from app.jobs.mail import Mail
from app.jobs.queue import JOBS, Handler, JobContext


async def mail_then_hang_on_first_attempt(job: JobContext) -> None:
    if not job.payload:
        return  # a scheduled run the worker queued itself: the tests watch only their own
    await job.mail.send(Mail(job_id=job.id, to="ada@example.com", subject="Hi", body="Hello"))
    if job.attempt == 1:
        await asyncio.Event().wait()  # never set: the test kills this worker here


HANDLERS: dict[str, Handler] = dict.fromkeys(JOBS, mail_then_hang_on_first_attempt)
