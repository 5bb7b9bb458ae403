"""The tickets table."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Ticket(Base):
    """A row of tickets."""

    __tablename__ = "tickets"
    __table_args__ = (
        sa.CheckConstraint("\"class\" IN ('standard', 'student', 'vip')", name="ck_tickets_class"),
        sa.CheckConstraint('"price" >= 0', name="ck_tickets_price_range"),
        sa.Index("uq_tickets_code", "code", unique=True, info={"fields": ("code",)}),
        sa.Index("ix_tickets_class", "class"),
        sa.Index("ix_tickets_price", "price"),
        sa.Index("ix_tickets_checked_in", "checked_in"),
        sa.Index("ix_tickets_showing_id", "showing_id"),
        sa.Index("ix_tickets_owner_id", "owner_id"),
        sa.Index("ix_tickets_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    code: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), nullable=False)
    class_: Mapped[str] = mapped_column(
        "class", sa.String(length=8), nullable=False, server_default=sa.text("'standard'")
    )
    price: Mapped[Decimal | None] = mapped_column(sa.Numeric(precision=8, scale=2), nullable=True)
    checked_in: Mapped[bool] = mapped_column(
        sa.Boolean(), nullable=False, server_default=sa.false()
    )
    showing_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("showings.id", ondelete="CASCADE", name="fk_tickets_showing_id"),
        nullable=False,
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_tickets_owner_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
