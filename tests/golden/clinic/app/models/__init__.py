"""The tables of the service; importing this package registers them all on ``Base``."""

from app.models.appointment import Appointment
from app.models.base import Base
from app.models.doctor import Doctor
from app.models.invoice import Invoice
from app.models.jobs import Job, MailMessage
from app.models.patient import Patient
from app.models.platform import AuditLogEntry, IdempotencyKey
from app.models.user import RefreshToken, User, UserSession

__all__ = [
    "Appointment",
    "AuditLogEntry",
    "Base",
    "Doctor",
    "IdempotencyKey",
    "Invoice",
    "Job",
    "MailMessage",
    "Patient",
    "RefreshToken",
    "User",
    "UserSession",
]
