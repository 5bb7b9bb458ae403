"""The tickets table and its many-to-many links."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Ticket(Base):
    """A row of tickets."""

    __tablename__ = "tickets"
    __table_args__ = (
        sa.CheckConstraint(
            "\"priority\" IN ('low', 'normal', 'high', 'urgent')", name="ck_tickets_priority"
        ),
        sa.CheckConstraint(
            "\"state\" IN ('open', 'pending', 'solved', 'closed')", name="ck_tickets_state"
        ),
        sa.Index("ix_tickets_priority", "priority"),
        sa.Index("ix_tickets_state", "state"),
        sa.Index("ix_tickets_due_at", "due_at"),
        sa.Index("ix_tickets_account_id", "account_id"),
        sa.Index("ix_tickets_reporter_id", "reporter_id"),
        sa.Index("ix_tickets_assignee_id", "assignee_id"),
        sa.Index("ix_tickets_owner_id", "owner_id"),
        sa.Index("ix_tickets_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    subject: Mapped[str] = mapped_column(sa.String(length=200), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text(), nullable=False)
    priority: Mapped[str] = mapped_column(
        sa.String(length=6), nullable=False, server_default=sa.text("'normal'")
    )
    state: Mapped[str] = mapped_column(
        sa.String(length=7), nullable=False, server_default=sa.text("'open'")
    )
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("accounts.id", ondelete="CASCADE", name="fk_tickets_account_id"),
        nullable=False,
    )
    reporter_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("agents.id", ondelete="SET NULL", name="fk_tickets_reporter_id"),
        nullable=True,
    )
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("agents.id", ondelete="SET NULL", name="fk_tickets_assignee_id"),
        nullable=True,
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_tickets_owner_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )


# Links between tickets and labels.
ticket_labels = sa.Table(
    "ticket_labels",
    Base.metadata,
    sa.Column(
        "ticket_id",
        sa.Uuid(),
        sa.ForeignKey("tickets.id", ondelete="CASCADE", name="fk_ticket_labels_ticket_id"),
        primary_key=True,
        nullable=False,
    ),
    sa.Column(
        "label_id",
        sa.Uuid(),
        sa.ForeignKey("labels.id", ondelete="CASCADE", name="fk_ticket_labels_label_id"),
        primary_key=True,
        nullable=False,
    ),
    sa.Column("created_at", UTCDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Index("ix_ticket_labels_label_id", "label_id"),
)
