"""The venues table."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Venue(Base):
    """A row of venues."""

    __tablename__ = "venues"
    __table_args__ = (
        sa.CheckConstraint(
            '"capacity" >= 1 AND "capacity" <= 100000', name="ck_venues_capacity_range"
        ),
        sa.Index("ix_venues_name", "name"),
        sa.Index("ix_venues_city", "city"),
        sa.Index("ix_venues_capacity", "capacity"),
        sa.Index("ix_venues_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    name: Mapped[str] = mapped_column(sa.String(length=150), nullable=False)
    city: Mapped[str] = mapped_column(sa.String(length=80), nullable=False)
    capacity: Mapped[int] = mapped_column(sa.Integer(), nullable=False)
    website: Mapped[str | None] = mapped_column(sa.String(length=2048), nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
