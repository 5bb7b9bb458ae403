"""The tables of the service; importing this package registers them all on ``Base``."""

from app.models.author import Author
from app.models.base import Base
from app.models.book import Book
from app.models.jobs import Job, MailMessage
from app.models.loan import Loan
from app.models.platform import AuditLogEntry, IdempotencyKey
from app.models.user import RefreshToken, User, UserSession

__all__ = [
    "AuditLogEntry",
    "Author",
    "Base",
    "Book",
    "IdempotencyKey",
    "Job",
    "Loan",
    "MailMessage",
    "RefreshToken",
    "User",
    "UserSession",
]
