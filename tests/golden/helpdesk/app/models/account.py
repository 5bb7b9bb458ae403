"""The accounts table."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Account(Base):
    """A customer organisation."""

    __tablename__ = "accounts"
    __table_args__ = (
        sa.CheckConstraint("\"tier\" IN ('free', 'pro', 'enterprise')", name="ck_accounts_tier"),
        sa.Index("uq_accounts_name", "name", unique=True, info={"fields": ("name",)}),
        sa.Index("ix_accounts_tier", "tier"),
        sa.Index("ix_accounts_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    name: Mapped[str] = mapped_column(sa.String(length=120), nullable=False)
    tier: Mapped[str] = mapped_column(
        sa.String(length=10), nullable=False, server_default=sa.text("'free'")
    )
    domain: Mapped[str | None] = mapped_column(sa.String(length=255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
