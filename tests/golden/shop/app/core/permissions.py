"""Who may do what: a rule per action, decided before the query and inside it.

A rule's ``kind`` is one of:

- ``anyone``: no token needed;
- ``authenticated``: any signed-in user;
- ``roles``: only the listed roles;
- ``owner``: signed-in users, restricted to the rows they own;
- ``owner_or_roles``: the listed roles see every row, other users only their own.

Ownership is never checked after loading a row: it becomes ``owner_id = :user`` in the
WHERE clause, so a row the caller may not see is simply not found.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from app.core.errors import AuthenticationRequired, Forbidden
from app.schemas.auth import AuthUser

RuleKind = Literal["anyone", "authenticated", "roles", "owner", "owner_or_roles"]


@dataclass(frozen=True)
class Rule:
    """Who may perform one action on one kind of resource."""

    kind: RuleKind
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Access:
    """The outcome of a rule for one caller.

    ``owner_id`` is the user whose rows are the only ones in reach, or ``None`` when
    every row is.
    """

    allowed: bool
    owner_id: uuid.UUID | None = None


def access(rule: Rule, user: AuthUser | None) -> Access:
    """What ``user`` (``None`` when anonymous) may reach under ``rule``."""
    if rule.kind == "anyone":
        return Access(allowed=True)
    if user is None:
        return Access(allowed=False)
    if rule.kind == "authenticated" or user.role in rule.roles:
        return Access(allowed=True)
    if rule.kind == "roles":
        return Access(allowed=False)
    return Access(allowed=True, owner_id=user.id)


def authorize(rule: Rule, user: AuthUser | None) -> uuid.UUID | None:
    """The owner filter for ``user`` under ``rule``; raises 401 or 403 when not allowed."""
    decision = access(rule, user)
    if not decision.allowed:
        if user is None:
            raise AuthenticationRequired
        raise Forbidden
    return decision.owner_id
