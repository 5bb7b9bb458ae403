"""The movements table."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Movement(Base):
    """A quantity moved in or out of a location, recorded by the clerk who moved it."""

    __tablename__ = "movements"
    __table_args__ = (
        sa.CheckConstraint('"quantity" >= 0', name="ck_movements_quantity_range"),
        sa.CheckConstraint("\"direction\" IN ('in', 'out')", name="ck_movements_direction"),
        sa.Index("ix_movements_quantity", "quantity"),
        sa.Index("ix_movements_direction", "direction"),
        sa.Index("ix_movements_item_id", "item_id"),
        sa.Index("ix_movements_location_id", "location_id"),
        sa.Index("ix_movements_owner_id", "owner_id"),
        sa.Index("ix_movements_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(precision=14, scale=3), nullable=False)
    direction: Mapped[str] = mapped_column(sa.String(length=3), nullable=False)
    reference: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    item_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("items.id", ondelete="RESTRICT", name="fk_movements_item_id"),
        nullable=False,
    )
    location_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("locations.id", ondelete="SET NULL", name="fk_movements_location_id"),
        nullable=True,
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_movements_owner_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
