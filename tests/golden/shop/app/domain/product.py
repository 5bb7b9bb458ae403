"""Your code for a product: hooks run inside each write of a product's transaction.

backend-agent wrote this file once; ``backend-agent update`` never changes it. Each hook
below does nothing until you give it a body; delete one you do not need. What a hook
writes through ``change.db`` commits with the write; an exception it raises undoes the
write. Raise ``DomainError`` (422 DOMAIN_ERROR) or a code the spec declares under
``errors`` (``app.core.domain``) to refuse the request with that code. See
``app.core.hooks`` for when each hook runs and what ``change`` holds.
"""

from __future__ import annotations

from app.core.hooks import ActionCall, Change


async def before_create(change: Change) -> None:
    """Before a new product is inserted; ``change.values`` may be edited."""


async def after_create(change: Change) -> None:
    """After the insert, before the commit; ``change.row`` is the new product."""


async def before_update(change: Change) -> None:
    """Before a product ``change.row_id`` is changed; ``change.values`` may be edited."""


async def after_update(change: Change) -> None:
    """After the change, before the commit; ``change.row`` is the product as changed."""


async def before_delete(change: Change) -> None:
    """Before a product ``change.row_id`` is deleted."""


async def restock(action: ActionCall) -> None:
    """The action ``restock`` (``POST .../{id}/restock``) on ``action.row``; the
    response is the product as this leaves it."""
