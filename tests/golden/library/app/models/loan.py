"""The loans table."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Loan(Base):
    """A row of loans."""

    __tablename__ = "loans"
    __table_args__ = (
        sa.Index("ix_loans_due_on", "due_on"),
        sa.Index("ix_loans_book_id", "book_id"),
        sa.Index("ix_loans_owner_id", "owner_id"),
        sa.Index("ix_loans_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    due_on: Mapped[date] = mapped_column(sa.Date(), nullable=False)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reference: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    contact_email: Mapped[str | None] = mapped_column(sa.String(length=320), nullable=True)
    book_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("books.id", ondelete="CASCADE", name="fk_loans_book_id"),
        nullable=False,
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_loans_owner_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
