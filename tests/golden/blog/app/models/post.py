"""The posts table and its many-to-many links."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import UTCDateTime


class Post(Base):
    """A row of posts."""

    __tablename__ = "posts"
    __table_args__ = (
        sa.CheckConstraint("\"status\" IN ('draft', 'published')", name="ck_posts_status"),
        sa.Index("ix_posts_title", "title"),
        sa.Index("ix_posts_status", "status"),
        sa.Index("ix_posts_published_at", "published_at"),
        sa.Index("ix_posts_owner_id", "owner_id"),
        sa.Index("ix_posts_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), default=uuid.uuid4, primary_key=True, nullable=False
    )
    title: Mapped[str] = mapped_column(sa.String(length=200), nullable=False)
    body: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    status: Mapped[str] = mapped_column(
        sa.String(length=9), nullable=False, server_default=sa.text("'draft'")
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_posts_owner_id"),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, server_default=sa.func.now()
    )
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# Links between posts and tags.
post_tags = sa.Table(
    "post_tags",
    Base.metadata,
    sa.Column(
        "post_id",
        sa.Uuid(),
        sa.ForeignKey("posts.id", ondelete="CASCADE", name="fk_post_tags_post_id"),
        primary_key=True,
        nullable=False,
    ),
    sa.Column(
        "tag_id",
        sa.Uuid(),
        sa.ForeignKey("tags.id", ondelete="CASCADE", name="fk_post_tags_tag_id"),
        primary_key=True,
        nullable=False,
    ),
    sa.Column("created_at", UTCDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Index("ix_post_tags_tag_id", "tag_id"),
)
