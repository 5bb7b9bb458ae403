"""The order_items table."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class OrderItem(Base):
    """A row of order items."""

    __tablename__ = "order_items"
    __table_args__ = (
        sa.CheckConstraint(
            '"quantity" >= 1 AND "quantity" <= 1000', name="ck_order_items_quantity_range"
        ),
        sa.CheckConstraint('"unit_price" >= 0', name="ck_order_items_unit_price_range"),
        sa.Index("ix_order_items_order_id", "order_id"),
        sa.Index("ix_order_items_product_id", "product_id"),
        sa.Index("ix_order_items_created_at", "created_at"),
        sa.Index(
            "uq_order_items_order_id_product_id",
            "order_id",
            "product_id",
            unique=True,
            info={"fields": ("order_id", "product_id")},
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    quantity: Mapped[int] = mapped_column(sa.Integer(), nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(sa.Numeric(precision=10, scale=2), nullable=False)
    order_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("orders.id", ondelete="CASCADE", name="fk_order_items_order_id"),
        nullable=False,
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("products.id", ondelete="RESTRICT", name="fk_order_items_product_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
