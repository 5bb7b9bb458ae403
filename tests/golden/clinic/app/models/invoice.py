"""The invoices table."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Invoice(Base):
    """A row of invoices."""

    __tablename__ = "invoices"
    __table_args__ = (
        sa.CheckConstraint('"amount" >= 0', name="ck_invoices_amount_range"),
        sa.CheckConstraint(
            '"tax_rate" >= 0 AND "tax_rate" <= 1', name="ck_invoices_tax_rate_range"
        ),
        sa.Index("uq_invoices_number", "number", unique=True, info={"fields": ("number",)}),
        sa.Index("ix_invoices_amount", "amount"),
        sa.Index("ix_invoices_issued_on", "issued_on"),
        sa.Index("ix_invoices_paid", "paid"),
        sa.Index("ix_invoices_appointment_id", "appointment_id"),
        sa.Index("ix_invoices_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    number: Mapped[str] = mapped_column(sa.String(length=255), nullable=False)
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(precision=10, scale=2), nullable=False)
    tax_rate: Mapped[Decimal] = mapped_column(sa.Numeric(precision=5, scale=4), nullable=False)
    issued_on: Mapped[date] = mapped_column(sa.Date(), nullable=False)
    paid: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.false())
    appointment_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("appointments.id", ondelete="CASCADE", name="fk_invoices_appointment_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
