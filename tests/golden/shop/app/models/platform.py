"""The service's records of its own writes: the audit log and the idempotency keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class AuditLogEntry(Base):
    """One write: who (actor_id), what (action, entity, entity_id), when, which request."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.CheckConstraint(
            "\"action\" IN ('create', 'replace', 'update', 'delete', 'link', 'unlink')",
            name="ck_audit_log_action",
        ),
        sa.Index("ix_audit_log_entity", "entity", "entity_id"),
        sa.Index("ix_audit_log_actor_id", "actor_id"),
        sa.Index("ix_audit_log_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    action: Mapped[str] = mapped_column(sa.String(length=20), nullable=False)
    entity: Mapped[str] = mapped_column(sa.String(length=100), nullable=False)
    entity_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), nullable=False)
    request_id: Mapped[str | None] = mapped_column(sa.String(length=128), nullable=True)
    detail: Mapped[Any] = mapped_column(
        sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql"),
        nullable=True,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )


class IdempotencyKey(Base):
    """The stored response of a POST sent with an Idempotency-Key, until it expires."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        sa.Index(
            "uq_idempotency_keys_user_id_idempotency_key", "user_id", "idempotency_key", unique=True
        ),
        sa.Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_idempotency_keys_user_id"),
        nullable=False,
    )
    idempotency_key: Mapped[str] = mapped_column(sa.String(length=255), nullable=False)
    request_hash: Mapped[str] = mapped_column(sa.String(length=64), nullable=False)
    status_code: Mapped[int] = mapped_column(sa.Integer(), nullable=False)
    response_body: Mapped[str] = mapped_column(sa.Text(), nullable=False)
    location: Mapped[str | None] = mapped_column(sa.String(length=2048), nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
