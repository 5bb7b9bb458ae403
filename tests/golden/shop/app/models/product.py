"""The products table."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Product(Base):
    """A row of products."""

    __tablename__ = "products"
    __table_args__ = (
        sa.CheckConstraint('"price" >= 0', name="ck_products_price_range"),
        sa.CheckConstraint('"sale_price" >= 0', name="ck_products_sale_price_range"),
        sa.CheckConstraint('"stock" >= 0', name="ck_products_stock_range"),
        sa.CheckConstraint(
            '"sale_price" < "price"',
            name="ck_products_sale_price_lt_price",
            info={"rule": ("sale_price", "<", "price")},
        ),
        sa.Index("uq_products_sku", "sku", unique=True, info={"fields": ("sku",)}),
        sa.Index("ix_products_name", "name"),
        sa.Index("ix_products_price", "price"),
        sa.Index("ix_products_active", "active"),
        sa.Index("ix_products_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    sku: Mapped[str] = mapped_column(sa.String(length=255), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(length=200), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    price: Mapped[Decimal] = mapped_column(sa.Numeric(precision=10, scale=2), nullable=False)
    sale_price: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(precision=10, scale=2), nullable=True
    )
    stock: Mapped[int] = mapped_column(sa.Integer(), nullable=False, server_default=sa.text("0"))
    active: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
