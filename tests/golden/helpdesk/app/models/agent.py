"""The agents table."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Agent(Base):
    """A row of agents."""

    __tablename__ = "agents"
    __table_args__ = (
        sa.Index("uq_agents_handle", "handle", unique=True, info={"fields": ("handle",)}),
        sa.Index("uq_agents_email", "email", unique=True, info={"fields": ("email",)}),
        sa.Index("ix_agents_on_call", "on_call"),
        sa.Index("ix_agents_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    handle: Mapped[str] = mapped_column(sa.String(length=255), nullable=False)
    email: Mapped[str] = mapped_column(sa.String(length=320), nullable=False)
    on_call: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
