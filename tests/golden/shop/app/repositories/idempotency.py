"""Queries on the idempotency keys: one stored response per user and key."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models.base import table_of
from app.models.platform import IdempotencyKey
from app.repositories.base import Row, fetch_one

idempotency_keys = table_of(IdempotencyKey)


async def get_key(db: AsyncConnection, *, user_id: uuid.UUID, key: str) -> Row | None:
    """The stored request and response of ``key``, expired or not."""
    statement = select(idempotency_keys).where(
        idempotency_keys.c.user_id == user_id, idempotency_keys.c.idempotency_key == key
    )
    return await fetch_one(db, statement)


async def delete_expired(db: AsyncConnection, *, user_id: uuid.UUID, now: datetime) -> None:
    """Forget the user's keys whose time is up (each write tidies its own user's)."""
    await db.execute(
        delete(idempotency_keys).where(
            idempotency_keys.c.user_id == user_id, idempotency_keys.c.expires_at <= now
        )
    )


async def insert_key(
    db: AsyncConnection,
    *,
    user_id: uuid.UUID,
    key: str,
    request_hash: str,
    status_code: int,
    response_body: str,
    location: str | None,
    now: datetime,
    expires_at: datetime,
) -> None:
    """Store a response; a concurrent insert of the same key fails on the unique index."""
    statement = insert(idempotency_keys).values(
        id=uuid.uuid4(),
        user_id=user_id,
        idempotency_key=key,
        request_hash=request_hash,
        status_code=status_code,
        response_body=response_body,
        location=location,
        expires_at=expires_at,
        created_at=now,
    )
    await db.execute(statement)
