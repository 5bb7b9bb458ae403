"""The patients table."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Patient(Base):
    """A patient's record; only the patient and the clinic staff see it."""

    __tablename__ = "patients"
    __table_args__ = (
        sa.Index("ix_patients_full_name", "full_name"),
        sa.Index("ix_patients_owner_id", "owner_id"),
        sa.Index("ix_patients_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    full_name: Mapped[str] = mapped_column(sa.String(length=160), nullable=False)
    date_: Mapped[date | None] = mapped_column("date", sa.Date(), nullable=True)
    email: Mapped[str | None] = mapped_column(sa.String(length=320), nullable=True)
    notes: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_patients_owner_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
