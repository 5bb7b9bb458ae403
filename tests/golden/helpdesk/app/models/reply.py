"""The replies table."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Reply(Base):
    """A row of replies."""

    __tablename__ = "replies"
    __table_args__ = (
        sa.Index("ix_replies_internal", "internal"),
        sa.Index("ix_replies_ticket_id", "ticket_id"),
        sa.Index("ix_replies_owner_id", "owner_id"),
        sa.Index("ix_replies_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    body: Mapped[str] = mapped_column(sa.Text(), nullable=False)
    internal: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.false())
    ticket_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("tickets.id", ondelete="CASCADE", name="fk_replies_ticket_id"),
        nullable=False,
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_replies_owner_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
