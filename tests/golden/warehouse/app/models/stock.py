"""The stock_levels table."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Stock(Base):
    """A row of stock levels."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        sa.CheckConstraint('"quantity" >= 0', name="ck_stock_levels_quantity_range"),
        sa.Index("ix_stock_levels_quantity", "quantity"),
        sa.Index("ix_stock_levels_counted_on", "counted_on"),
        sa.Index("ix_stock_levels_item_id", "item_id"),
        sa.Index("ix_stock_levels_location_id", "location_id"),
        sa.Index("ix_stock_levels_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(precision=14, scale=3), nullable=False)
    counted_on: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)
    item_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("items.id", ondelete="RESTRICT", name="fk_stock_levels_item_id"),
        nullable=False,
    )
    location_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("locations.id", ondelete="RESTRICT", name="fk_stock_levels_location_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
