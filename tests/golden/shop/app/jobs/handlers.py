"""What each job does. This module is yours: change the handlers, keep HANDLERS complete.

A handler gets a ``JobContext`` (the job's id, payload and attempt, the engine, the
mail sender) and fails the run by raising: the worker retries it with backoff, and
marks the job dead after its last attempt. A handler may run again for a job that
already did its work (its worker can die before recording success), so make side
effects idempotent, as the mail outbox does with the job id.
"""

from __future__ import annotations

import logging

from app.jobs.queue import Handler, JobContext

logger = logging.getLogger(__name__)


async def receipt(job: JobContext) -> None:
    """Sends the customer a receipt once the order is paid."""
    # Replace this with the job's work; the payload is what the event passed.
    logger.info("job %s ran (attempt %d)", job.name, job.attempt)


async def dispatch_note(job: JobContext) -> None:
    """Runs after order.shipped."""
    # Replace this with the job's work; the payload is what the event passed.
    logger.info("job %s ran (attempt %d)", job.name, job.attempt)


HANDLERS: dict[str, Handler] = {
    "receipt": receipt,
    "dispatch_note": dispatch_note,
}
