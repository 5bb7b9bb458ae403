"""Outgoing mail: the ``MailSender`` protocol and the default sender, the mail outbox.

Each mail names the job that sends it, and the outbox holds at most one mail per job,
so a job retried after a crash never sends twice. A relay (or your own sender, one
that talks SMTP or to a mail API with the job id as its idempotency key) delivers
the rows and sets ``sent_at``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from app.repositories import jobs as repo
from app.repositories.base import utcnow


@dataclass(frozen=True)
class Mail:
    """One message, sent on behalf of the job ``job_id``."""

    job_id: uuid.UUID
    to: str
    subject: str
    body: str


class MailSender(Protocol):
    """Sends mail at most once per job."""

    async def send(self, mail: Mail) -> bool:
        """Send ``mail``; False when its job's mail was sent before."""
        ...


class OutboxSender:
    """Writes each mail to the mail_outbox table, in a transaction of its own."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def send(self, mail: Mail) -> bool:
        async with self._engine.begin() as db:
            return await repo.insert_mail(
                db,
                job_id=mail.job_id,
                recipient=mail.to,
                subject=mail.subject,
                body=mail.body,
                now=utcnow(),
            )
