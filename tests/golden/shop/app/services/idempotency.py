"""Idempotent creates: a retried POST gets its first response back, not a second row."""

from __future__ import annotations

from datetime import timedelta

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import IdempotencyKeyReused
from app.core.idempotency import Created, IdempotentRequest
from app.core.responses import dumps
from app.repositories import idempotency as repo
from app.repositories.base import utcnow


async def replayed(db: AsyncConnection, request: IdempotentRequest | None) -> Created | None:
    """The stored answer to this key, if there is one; 422 if it was another request's."""
    if request is None:
        return None
    row = await repo.get_key(db, user_id=request.user_id, key=request.key)
    if row is None or row["expires_at"] <= utcnow():
        return None
    if row["request_hash"] != request.fingerprint:
        raise IdempotencyKeyReused
    return Created(orjson.loads(row["response_body"]), location=row["location"], replayed=True)


async def remember(db: AsyncConnection, request: IdempotentRequest | None, result: Created) -> None:
    """Store the answer in the write's transaction, so both are kept or neither is.

    Two requests racing with one key both reach this insert; the unique index on
    (user, key) lets one commit, and the other's whole transaction (its row too) fails
    with 409 CONFLICT.
    """
    if request is None:
        return
    now = utcnow()
    await repo.delete_expired(db, user_id=request.user_id, now=now)
    await repo.insert_key(
        db,
        user_id=request.user_id,
        key=request.key,
        request_hash=request.fingerprint,
        status_code=201,
        response_body=dumps(result.data).decode(),
        location=result.location,
        now=now,
        expires_at=now + timedelta(seconds=request.ttl_seconds),
    )
