"""The showings table."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Showing(Base):
    """A row of showings."""

    __tablename__ = "showings"
    __table_args__ = (
        sa.CheckConstraint('"minutes" >= 5 AND "minutes" <= 600', name="ck_showings_minutes_range"),
        sa.Index("ix_showings_starts_at", "starts_at"),
        sa.Index("ix_showings_event_id", "event_id"),
        sa.Index("ix_showings_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    title: Mapped[str] = mapped_column(sa.String(length=200), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    minutes: Mapped[int] = mapped_column(sa.Integer(), nullable=False, server_default=sa.text("45"))
    room: Mapped[str | None] = mapped_column(sa.String(length=40), nullable=True)
    event_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("events.id", ondelete="CASCADE", name="fk_showings_event_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
