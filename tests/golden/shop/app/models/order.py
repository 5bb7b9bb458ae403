"""The orders table."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Order(Base):
    """An order of one customer; its status moves only through its transitions."""

    __tablename__ = "orders"
    __table_args__ = (
        sa.CheckConstraint(
            "\"status\" IN ('draft', 'placed', 'paid', 'shipped', 'cancelled')",
            name="ck_orders_status",
        ),
        sa.Index("uq_orders_reference", "reference", unique=True, info={"fields": ("reference",)}),
        sa.Index("ix_orders_status", "status"),
        sa.Index("ix_orders_placed_at", "placed_at"),
        sa.Index("ix_orders_customer_id", "customer_id"),
        sa.Index("ix_orders_owner_id", "owner_id"),
        sa.Index("ix_orders_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    reference: Mapped[str] = mapped_column(sa.String(length=255), nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(length=9), nullable=False, server_default=sa.text("'draft'")
    )
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    shipped_on: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)
    note: Mapped[str | None] = mapped_column(sa.String(length=500), nullable=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("customers.id", ondelete="RESTRICT", name="fk_orders_customer_id"),
        nullable=False,
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_orders_owner_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
