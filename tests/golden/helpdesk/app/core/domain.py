"""The error codes the hooks of ``app/domain`` raise to refuse a request.

``DomainError`` answers 422 DOMAIN_ERROR; the spec declares no codes of
its own (add them under ``errors``: ``OUT_OF_STOCK: 409``), each then a class here.
"""

from __future__ import annotations

from app.core.hooks import DomainError

__all__ = ["DomainError"]
