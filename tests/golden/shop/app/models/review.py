"""The reviews table."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Review(Base):
    """A row of reviews."""

    __tablename__ = "reviews"
    __table_args__ = (
        sa.CheckConstraint('"rating" >= 1 AND "rating" <= 5', name="ck_reviews_rating_range"),
        sa.Index("ix_reviews_rating", "rating"),
        sa.Index("ix_reviews_product_id", "product_id"),
        sa.Index("ix_reviews_owner_id", "owner_id"),
        sa.Index("ix_reviews_created_at", "created_at"),
        sa.Index(
            "uq_reviews_owner_id_product_id",
            "owner_id",
            "product_id",
            unique=True,
            info={"fields": ("owner_id", "product_id")},
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    rating: Mapped[int] = mapped_column(sa.Integer(), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(length=120), nullable=False)
    body: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    product_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("products.id", ondelete="CASCADE", name="fk_reviews_product_id"),
        nullable=False,
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_reviews_owner_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
