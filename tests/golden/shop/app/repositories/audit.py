"""Queries on the audit log: rows are only ever added, in the transaction of their write."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models.base import table_of
from app.models.platform import AuditLogEntry
from app.repositories.base import EQ, Filter, Row, fetch_page, utcnow, where_filters

audit_log = table_of(AuditLogEntry)
# Built once, values bound per call: building a statement with its values costs more
# CPU than running it.
_INSERT = insert(audit_log)

COLUMNS = (
    audit_log.c.id,
    audit_log.c.actor_id,
    audit_log.c.action,
    audit_log.c.entity,
    audit_log.c.entity_id,
    audit_log.c.request_id,
    audit_log.c.detail,
    audit_log.c.created_at,
)
FILTERS: dict[str, Filter] = {
    "entity": (audit_log.c.entity, EQ),
    "entity_id": (audit_log.c.entity_id, EQ),
    "actor_id": (audit_log.c.actor_id, EQ),
}


async def insert_entry(
    db: AsyncConnection,
    *,
    actor_id: uuid.UUID | None,
    action: str,
    entity: str,
    entity_id: uuid.UUID,
    request_id: str | None,
    detail: dict[str, Any] | None,
) -> None:
    """Add one row; the caller's commit makes it permanent together with its write."""
    row = {
        "id": uuid.uuid4(),
        "actor_id": actor_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "request_id": request_id,
        "detail": detail,
        "created_at": utcnow(),
    }
    await db.execute(_INSERT, row)


async def list_entries(
    db: AsyncConnection, *, filters: dict[str, Any], page: int, limit: int
) -> tuple[list[Row], int]:
    """One page of the log, newest first, and the total."""
    statement = select(*COLUMNS).where(*where_filters(FILTERS, filters))
    order = [audit_log.c.created_at.desc(), audit_log.c.id.desc()]
    return await fetch_page(db, statement, order=order, page=page, limit=limit)
