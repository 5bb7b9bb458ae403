"""The tables of the service; importing this package registers them all on ``Base``."""

from app.models.base import Base
from app.models.customer import Customer
from app.models.jobs import Job, MailMessage
from app.models.order import Order
from app.models.order_item import OrderItem
from app.models.platform import AuditLogEntry, IdempotencyKey
from app.models.product import Product
from app.models.review import Review
from app.models.user import RefreshToken, User, UserSession

__all__ = [
    "AuditLogEntry",
    "Base",
    "Customer",
    "IdempotencyKey",
    "Job",
    "MailMessage",
    "Order",
    "OrderItem",
    "Product",
    "RefreshToken",
    "Review",
    "User",
    "UserSession",
]
