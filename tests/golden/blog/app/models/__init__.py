"""The tables of the service; importing this package registers them all on ``Base``."""

from app.models.base import Base
from app.models.bookmark import Bookmark
from app.models.comment import Comment
from app.models.jobs import Job, MailMessage
from app.models.platform import AuditLogEntry, IdempotencyKey
from app.models.post import Post, post_tags
from app.models.tag import Tag
from app.models.user import RefreshToken, User, UserSession

__all__ = [
    "AuditLogEntry",
    "Base",
    "Bookmark",
    "Comment",
    "IdempotencyKey",
    "Job",
    "MailMessage",
    "Post",
    "RefreshToken",
    "Tag",
    "User",
    "UserSession",
    "post_tags",
]
