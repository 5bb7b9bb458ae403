"""The audit log: who changed what, when, and in which request.

Every write of the services calls ``record`` before it commits, so the audit row and
the change it describes are one transaction: neither exists without the other.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.context import current_request_id
from app.core.permissions import Rule, authorize
from app.repositories import audit as repo
from app.repositories.base import Row
from app.schemas.audit import AuditQuery
from app.schemas.auth import AuthUser

Action = Literal["create", "replace", "update", "delete", "link", "unlink"]
RULE = Rule("roles", frozenset({"admin"}))


async def record(
    db: AsyncConnection,
    user: AuthUser | None,
    action: Action,
    entity: str,
    entity_id: uuid.UUID,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to the current transaction (the write's commit keeps both)."""
    await repo.insert_entry(
        db,
        actor_id=user.id if user is not None else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        request_id=current_request_id() or None,
        detail=detail,
    )


async def list_entries(
    db: AsyncConnection, user: AuthUser | None, query: AuditQuery
) -> tuple[list[Row], int]:
    """A page of the audit log, newest first; only for the admin role."""
    authorize(RULE, user)
    return await repo.list_entries(db, filters=query.filters(), page=query.page, limit=query.limit)
