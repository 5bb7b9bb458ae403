"""Hooks: the project owner's code, run inside each write's transaction.

Each entity has a module of its own, ``app/domain/<entity>.py``. backend-agent writes it
once, with a hook of each kind that does nothing, and ``backend-agent update`` never
touches it again. The entity's service runs the hooks the module defines:

==================  ==============================================  ========================
hook                runs                                            ``change`` holds
==================  ==============================================  ========================
before_create       before the insert                               ``values`` (editable)
after_create        after the insert, before the commit             ``values``, ``row``
before_update       before the update (PUT, PATCH)                  ``row_id``, ``values``
after_update        after the update, before the commit             ``row_id``, ``values``,
                                                                    ``row``
before_delete       before the delete                               ``row_id``
before_transition   before a transition's update                    ``row_id``, ``values``,
                                                                    ``transition``
after_transition    after it, before the commit                     the same, and ``row``
==================  ==============================================  ========================

Each hook runs after the caller is authorized and the request is checked, inside the
write's transaction: what it writes with ``change.db`` commits with the write, and an
exception it raises undoes the write. Raise a ``DomainError`` (or one of the codes the
spec declares under ``errors``, in ``app/core/domain.py``) to refuse the request with a
4xx error envelope of that code.

A custom action (``actions`` in the spec) is run by the function of the action's name in
the same module, with an ``ActionCall``; while it is missing, the action answers 501
NOT_IMPLEMENTED (``ActionNotWritten`` in app/core/domain.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import AppError
from app.schemas.auth import AuthUser

HOOKS = (
    "before_create",
    "after_create",
    "before_update",
    "after_update",
    "before_delete",
    "before_transition",
    "after_transition",
)


class DomainError(AppError):
    """A rule of the service's own, enforced by a hook: 422 DOMAIN_ERROR unless a
    subclass (app/core/domain.py) says otherwise."""

    status_code = 422
    code = "DOMAIN_ERROR"
    default_message = "The request breaks a rule of the service."


@dataclass(slots=True, kw_only=True)
class Change:
    """One write, as a hook sees it."""

    db: AsyncConnection  # the write's connection: its transaction is the write's
    user: AuthUser | None  # who asks (None: an anonymous caller, where the rule allows)
    entity: str  # "order"
    values: dict[str, Any] = field(default_factory=dict)  # what the write sets
    row_id: uuid.UUID | None = None
    row: Mapping[str, Any] | None = None  # the row as written (after_* hooks)
    transition: str | None = None  # the transition's name (before/after_transition)


Hook = Callable[[Change], Awaitable[None]]


@dataclass(slots=True, kw_only=True)
class ActionCall:
    """A custom action (the spec's ``actions``) as its handler sees it: the row it acts on,
    found and in the caller's reach. The service answers with the row as the handler
    leaves it (read again after the commit)."""

    db: AsyncConnection  # the action's transaction: what the handler writes commits with it
    user: AuthUser | None
    entity: str
    name: str  # the action's name, which is also the handler's
    row_id: uuid.UUID
    row: Mapping[str, Any]


async def run(module: ModuleType | None, name: str, change: Change) -> None:
    """Run the hook ``name`` of ``module`` on ``change``, if the module defines it."""
    hook: Hook | None = getattr(module, name, None)
    if hook is not None:
        await hook(change)
