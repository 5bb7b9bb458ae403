"""The tables of the service; importing this package registers them all on ``Base``."""

from app.models.account import Account
from app.models.agent import Agent
from app.models.base import Base
from app.models.jobs import Job, MailMessage
from app.models.label import Label
from app.models.platform import AuditLogEntry, IdempotencyKey
from app.models.reply import Reply
from app.models.ticket import Ticket, ticket_labels
from app.models.user import RefreshToken, User, UserSession

__all__ = [
    "Account",
    "Agent",
    "AuditLogEntry",
    "Base",
    "IdempotencyKey",
    "Job",
    "Label",
    "MailMessage",
    "RefreshToken",
    "Reply",
    "Ticket",
    "User",
    "UserSession",
    "ticket_labels",
]
