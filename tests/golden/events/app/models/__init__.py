"""The tables of the service; importing this package registers them all on ``Base``."""

from app.models.base import Base
from app.models.event import Event
from app.models.jobs import Job, MailMessage
from app.models.platform import AuditLogEntry, IdempotencyKey
from app.models.showing import Showing
from app.models.ticket import Ticket
from app.models.user import RefreshToken, User, UserSession
from app.models.venue import Venue

__all__ = [
    "AuditLogEntry",
    "Base",
    "Event",
    "IdempotencyKey",
    "Job",
    "MailMessage",
    "RefreshToken",
    "Showing",
    "Ticket",
    "User",
    "UserSession",
    "Venue",
]
