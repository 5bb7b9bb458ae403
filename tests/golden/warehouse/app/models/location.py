"""The locations table."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Location(Base):
    """A row of locations."""

    __tablename__ = "locations"
    __table_args__ = (
        sa.CheckConstraint('"limit" >= 0', name="ck_locations_limit_range"),
        sa.Index("uq_locations_code", "code", unique=True, info={"fields": ("code",)}),
        sa.Index("ix_locations_active", "active"),
        sa.Index("ix_locations_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    code: Mapped[str] = mapped_column(sa.String(length=255), nullable=False)
    limit: Mapped[Decimal | None] = mapped_column(sa.Numeric(precision=12, scale=3), nullable=True)
    active: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
