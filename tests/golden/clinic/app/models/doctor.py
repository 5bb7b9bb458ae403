"""The doctors table."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Doctor(Base):
    """A row of doctors."""

    __tablename__ = "doctors"
    __table_args__ = (
        sa.CheckConstraint(
            "\"specialty\" IN ('general', 'cardiology', 'pediatrics', 'dermatology')",
            name="ck_doctors_specialty",
        ),
        sa.CheckConstraint('"fee" >= 0 AND "fee" <= 5000', name="ck_doctors_fee_range"),
        sa.Index("ix_doctors_name", "name"),
        sa.Index("ix_doctors_specialty", "specialty"),
        sa.Index("uq_doctors_licence", "licence", unique=True, info={"fields": ("licence",)}),
        sa.Index("ix_doctors_fee", "fee"),
        sa.Index("ix_doctors_accepting", "accepting"),
        sa.Index("ix_doctors_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    name: Mapped[str] = mapped_column(sa.String(length=120), nullable=False)
    specialty: Mapped[str] = mapped_column(
        sa.String(length=11), nullable=False, server_default=sa.text("'general'")
    )
    licence: Mapped[str] = mapped_column(sa.String(length=255), nullable=False)
    fee: Mapped[Decimal] = mapped_column(sa.Numeric(precision=8, scale=2), nullable=False)
    accepting: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
