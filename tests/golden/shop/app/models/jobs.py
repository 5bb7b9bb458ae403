"""The job queue and the mail outbox of the background jobs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Job(Base):
    """A job to run: queued, running under a worker's lease, done, or dead."""

    __tablename__ = "jobs"
    __table_args__ = (
        sa.CheckConstraint(
            "\"status\" IN ('queued', 'running', 'done', 'dead')", name="ck_jobs_status"
        ),
        sa.Index("ix_jobs_status_run_after", "status", "run_after"),
        sa.Index("ix_jobs_status_locked_until", "status", "locked_until"),
        sa.Index("ix_jobs_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    name: Mapped[str] = mapped_column(sa.String(length=100), nullable=False)
    payload: Mapped[Any] = mapped_column(
        sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql"),
        nullable=False,
    )
    status: Mapped[str] = mapped_column(
        sa.String(length=20), nullable=False, server_default=sa.text("'queued'")
    )
    attempts: Mapped[int] = mapped_column(sa.Integer(), nullable=False, server_default=sa.text("0"))
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    locked_by: Mapped[str | None] = mapped_column(sa.String(length=200), nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )


class MailMessage(Base):
    """A mail to send, at most one per job; a relay delivers it and sets sent_at."""

    __tablename__ = "mail_outbox"
    __table_args__ = (sa.Index("uq_mail_outbox_job_id", "job_id", unique=True),)

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    job_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), nullable=False)
    recipient: Mapped[str] = mapped_column(sa.String(length=320), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(length=255), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text(), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
