"""The appointments table."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Appointment(Base):
    """A row of appointments."""

    __tablename__ = "appointments"
    __table_args__ = (
        sa.CheckConstraint(
            "\"type\" IN ('consultation', 'follow_up', 'surgery', 'telehealth')",
            name="ck_appointments_type",
        ),
        sa.CheckConstraint(
            "\"status\" IN ('booked', 'attended', 'cancelled', 'no_show')",
            name="ck_appointments_status",
        ),
        sa.Index("ix_appointments_from", "from"),
        sa.Index("ix_appointments_to", "to"),
        sa.Index("ix_appointments_type", "type"),
        sa.Index("ix_appointments_status", "status"),
        sa.Index("ix_appointments_patient_id", "patient_id"),
        sa.Index("ix_appointments_doctor_id", "doctor_id"),
        sa.Index("ix_appointments_owner_id", "owner_id"),
        sa.Index("ix_appointments_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    from_: Mapped[date] = mapped_column("from", sa.Date(), nullable=False)
    to: Mapped[date] = mapped_column(sa.Date(), nullable=False)
    type_: Mapped[str] = mapped_column(
        "type", sa.String(length=12), nullable=False, server_default=sa.text("'consultation'")
    )
    status: Mapped[str] = mapped_column(
        sa.String(length=9), nullable=False, server_default=sa.text("'booked'")
    )
    reason: Mapped[str | None] = mapped_column(sa.String(length=500), nullable=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("patients.id", ondelete="CASCADE", name="fk_appointments_patient_id"),
        nullable=False,
    )
    doctor_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("doctors.id", ondelete="RESTRICT", name="fk_appointments_doctor_id"),
        nullable=False,
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_appointments_owner_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
