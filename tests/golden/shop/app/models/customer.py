"""The customers table."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Customer(Base):
    """A row of customers."""

    __tablename__ = "customers"
    __table_args__ = (
        sa.CheckConstraint('"credit_limit" >= 0', name="ck_customers_credit_limit_range"),
        sa.Index("ix_customers_name", "name"),
        sa.Index("ix_customers_owner_id", "owner_id"),
        sa.Index("ix_customers_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    name: Mapped[str] = mapped_column(sa.String(length=120), nullable=False)
    phone: Mapped[str | None] = mapped_column(sa.String(length=255), nullable=True)
    credit_limit: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(precision=10, scale=2), nullable=True
    )
    support_note: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_customers_owner_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
