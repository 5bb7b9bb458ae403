"""What each job does. This module is yours: change the handlers, keep HANDLERS complete.

A handler gets a ``JobContext`` (the job's id, payload and attempt, the engine, the
mail sender) and fails the run by raising: the worker retries it with backoff, and
marks the job dead after its last attempt. A handler may run again for a job that
already did its work (its worker can die before recording success), so make side
effects idempotent, as the mail outbox does with the job id.
"""

from __future__ import annotations

import logging

from app.jobs.mail import Mail
from app.jobs.queue import Handler, JobContext

logger = logging.getLogger(__name__)


async def send_welcome_email(job: JobContext) -> None:
    """Welcome a new member by e-mail once the account exists."""
    email = str(job.payload["email"])
    await job.mail.send(
        Mail(
            job_id=job.id,
            to=email,
            subject="Welcome to Library API",
            body=f"Hello,\n\nyour account {email} is ready. Welcome aboard!\n",
        )
    )


HANDLERS: dict[str, Handler] = {
    "send_welcome_email": send_welcome_email,
}
