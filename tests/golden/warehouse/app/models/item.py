"""The items table."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Item(Base):
    """A row of items."""

    __tablename__ = "items"
    __table_args__ = (
        sa.CheckConstraint("\"unit\" IN ('piece', 'kg', 'litre', 'metre')", name="ck_items_unit"),
        sa.CheckConstraint('"weight" >= 0', name="ck_items_weight_range"),
        sa.CheckConstraint("\"class\" IN ('a', 'b', 'c')", name="ck_items_class"),
        sa.Index("uq_items_sku", "sku", unique=True, info={"fields": ("sku",)}),
        sa.Index("ix_items_name", "name"),
        sa.Index("ix_items_unit", "unit"),
        sa.Index("ix_items_weight", "weight"),
        sa.Index("uq_items_barcode", "barcode", unique=True, info={"fields": ("barcode",)}),
        sa.Index("ix_items_class", "class"),
        sa.Index("ix_items_category_id", "category_id"),
        sa.Index("ix_items_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    sku: Mapped[str] = mapped_column(sa.String(length=255), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(length=200), nullable=False)
    unit: Mapped[str] = mapped_column(
        sa.String(length=5), nullable=False, server_default=sa.text("'piece'")
    )
    weight: Mapped[Decimal | None] = mapped_column(sa.Numeric(precision=10, scale=3), nullable=True)
    barcode: Mapped[str | None] = mapped_column(sa.String(length=255), nullable=True)
    class_: Mapped[str] = mapped_column(
        "class", sa.String(length=1), nullable=False, server_default=sa.text("'c'")
    )
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("categories.id", ondelete="SET NULL", name="fk_items_category_id"),
        nullable=True,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
