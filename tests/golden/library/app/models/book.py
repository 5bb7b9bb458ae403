"""The books table."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Book(Base):
    """A row of books."""

    __tablename__ = "books"
    __table_args__ = (
        sa.CheckConstraint(
            "\"genre\" IN ('fiction', 'science', 'history', 'poetry')", name="ck_books_genre"
        ),
        sa.CheckConstraint('"pages" >= 1 AND "pages" <= 10000', name="ck_books_pages_range"),
        sa.CheckConstraint('"price" >= 0', name="ck_books_price_range"),
        sa.Index("ix_books_title", "title"),
        sa.Index("uq_books_isbn", "isbn", unique=True, info={"fields": ("isbn",)}),
        sa.Index("ix_books_genre", "genre"),
        sa.Index("ix_books_pages", "pages"),
        sa.Index("ix_books_price", "price"),
        sa.Index("ix_books_available", "available"),
        sa.Index("ix_books_author_id", "author_id"),
        sa.Index("ix_books_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    title: Mapped[str] = mapped_column(sa.String(length=300), nullable=False)
    isbn: Mapped[str] = mapped_column(sa.String(length=255), nullable=False)
    genre: Mapped[str] = mapped_column(
        sa.String(length=7), nullable=False, server_default=sa.text("'fiction'")
    )
    pages: Mapped[int | None] = mapped_column(sa.Integer(), nullable=True)
    price: Mapped[Decimal | None] = mapped_column(sa.Numeric(precision=10, scale=2), nullable=True)
    available: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.true())
    metadata_: Mapped[Any] = mapped_column(
        "metadata",
        sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql"),
        nullable=True,
    )
    author_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("authors.id", ondelete="RESTRICT", name="fk_books_author_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
