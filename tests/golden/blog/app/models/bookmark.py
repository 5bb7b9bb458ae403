"""The bookmarks table."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Bookmark(Base):
    """A post a reader saved for later, with a note; private to its owner."""

    __tablename__ = "bookmarks"
    __table_args__ = (
        sa.Index("ix_bookmarks_post_id", "post_id"),
        sa.Index("ix_bookmarks_owner_id", "owner_id"),
        sa.Index("ix_bookmarks_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    note: Mapped[str | None] = mapped_column(sa.String(length=200), nullable=True)
    post_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("posts.id", ondelete="CASCADE", name="fk_bookmarks_post_id"),
        nullable=False,
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_bookmarks_owner_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
