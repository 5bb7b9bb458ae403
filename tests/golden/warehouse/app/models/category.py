"""The categories table."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Category(Base):
    """A row of categories."""

    __tablename__ = "categories"
    __table_args__ = (
        sa.Index("ix_categories_name", "name"),
        sa.Index("uq_categories_code", "code", unique=True, info={"fields": ("code",)}),
        sa.Index("ix_categories_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    name: Mapped[str] = mapped_column(sa.String(length=80), nullable=False)
    code: Mapped[str] = mapped_column(sa.String(length=255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
