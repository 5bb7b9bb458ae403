"""The tables of the service; importing this package registers them all on ``Base``."""

from app.models.base import Base
from app.models.comment import Comment
from app.models.post import Post, post_tags
from app.models.tag import Tag
from app.models.user import User, UserSession

__all__ = ["Base", "Comment", "Post", "Tag", "User", "UserSession", "post_tags"]
