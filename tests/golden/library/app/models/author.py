"""The authors table."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Author(Base):
    """A row of authors."""

    __tablename__ = "authors"
    __table_args__ = (
        sa.Index("ix_authors_name", "name"),
        sa.Index("ix_authors_born_on", "born_on"),
        sa.Index("ix_authors_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    name: Mapped[str] = mapped_column(sa.String(length=120), nullable=False)
    born_on: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)
    website: Mapped[str | None] = mapped_column(sa.String(length=2048), nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
