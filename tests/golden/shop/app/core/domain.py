"""The error codes the hooks of ``app/domain`` raise to refuse a request.

``DomainError`` answers 422 DOMAIN_ERROR; each class below answers with a code the spec
declares under ``errors`` (regenerated from the spec: add a code there).
"""

from __future__ import annotations

from app.core.errors import AppError
from app.core.hooks import DomainError

__all__ = ["ActionNotWritten", "DomainError", "OutOfStock"]


class ActionNotWritten(AppError):
    """The spec declares an action whose handler app/domain does not define."""

    status_code = 501
    code = "NOT_IMPLEMENTED"
    default_message = "This action has no handler in app/domain yet."


class OutOfStock(DomainError):
    """Not enough of a product is in stock for this order."""

    status_code = 409
    code = "OUT_OF_STOCK"
    default_message = "Not enough of a product is in stock for this order."
