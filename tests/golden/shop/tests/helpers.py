"""Assertions shared by the tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.repositories.audit import audit_log

# The spec's page sizes: a list answers PAGE_SIZE rows unless asked for up to MAX_PAGE_SIZE.
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def assert_error(
    response: httpx.Response, status: int, code: str, *, fields: set[str] | None = None
) -> dict[str, Any]:
    """The response is an error envelope with this status and code (and these fields)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    error = body["error"]
    assert error["code"] == code
    assert error["requestId"] == response.headers["X-Request-ID"]
    assert error["timestamp"]
    if fields is not None:
        assert fields <= {detail["field"] for detail in error["details"]}, error["details"]
    return dict(error)


def data(response: httpx.Response, status: int = 200) -> Any:
    """The ``data`` of a success envelope with this status."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


def ids(response: httpx.Response) -> list[str]:
    """The ids of the rows of a list response, in order."""
    return [row["id"] for row in data(response)]


async def listed(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
) -> list[str]:
    """The ids of every row of a list, in order: page after page of the largest size."""
    found: list[str] = []
    for page in range(1, 1000):
        query = {**(params or {}), "limit": MAX_PAGE_SIZE, "page": page}
        response = await client.get(url, params=query, headers=headers)
        found += ids(response)
        if not data(response) or len(found) >= response.json()["meta"]["total"]:
            break
    return found


async def audit_trail(
    db: AsyncConnection, entity_id: Any
) -> list[tuple[str, str, str, str | None]]:
    """(action, entity, actor id, request id) of each audit row about ``entity_id``, oldest first."""
    statement = (
        select(audit_log.c.action, audit_log.c.entity, audit_log.c.actor_id, audit_log.c.request_id)
        .where(audit_log.c.entity_id == uuid.UUID(str(entity_id)))
        .order_by(audit_log.c.created_at)
    )
    rows = (await db.execute(statement)).all()
    await db.commit()  # end the read: on SQLite a later one would see this snapshot again
    return [(action, entity, str(actor), request) for action, entity, actor, request in rows]
