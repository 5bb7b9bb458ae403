"""The events table."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Event(Base):
    """A row of events."""

    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_title", "title"),
        sa.Index("ix_events_date", "date"),
        sa.Index("ix_events_published", "published"),
        sa.Index("ix_events_venue_id", "venue_id"),
        sa.Index("ix_events_owner_id", "owner_id"),
        sa.Index("ix_events_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    title: Mapped[str] = mapped_column(sa.String(length=200), nullable=False)
    date_: Mapped[date] = mapped_column("date", sa.Date(), nullable=False)
    published: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.false())
    venue_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("venues.id", ondelete="RESTRICT", name="fk_events_venue_id"),
        nullable=False,
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_events_owner_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
