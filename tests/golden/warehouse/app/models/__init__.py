"""The tables of the service; importing this package registers them all on ``Base``."""

from app.models.base import Base
from app.models.category import Category
from app.models.item import Item
from app.models.location import Location
from app.models.movement import Movement
from app.models.platform import AuditLogEntry, IdempotencyKey
from app.models.stock import Stock
from app.models.user import RefreshToken, User, UserSession

__all__ = [
    "AuditLogEntry",
    "Base",
    "Category",
    "IdempotencyKey",
    "Item",
    "Location",
    "Movement",
    "RefreshToken",
    "Stock",
    "User",
    "UserSession",
]
