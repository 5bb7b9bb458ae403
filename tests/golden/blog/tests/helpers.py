"""Assertions shared by the tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
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


async def pages(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    *,
    limit: int | None = MAX_PAGE_SIZE,
) -> AsyncIterator[httpx.Response]:
    """Every page of a list, in order (``limit`` rows each; None: the spec's page size):
    by number up to the total, or from cursor to cursor for a list paged by cursor."""
    query = {**(params or {}), **({"limit": limit} if limit is not None else {})}
    cursor: str | None = None
    seen = 0
    for number in range(1, 1000):
        paging = (
            {"cursor": cursor} if cursor is not None else {"page": number} if number > 1 else {}
        )
        response = await client.get(url, params={**query, **paging}, headers=headers)
        yield response
        meta = response.json()["meta"]
        seen += len(data(response))
        if "next_cursor" in meta:
            cursor = meta["next_cursor"]
            if cursor is None:
                return
        elif not data(response) or seen >= meta["total"]:
            return
    raise AssertionError(f"{url} has more than 1000 pages")


async def listed(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    *,
    limit: int = MAX_PAGE_SIZE,
) -> list[str]:
    """The ids of every row of a list, in order: page after page of ``limit`` rows."""
    return [
        row_id
        async for response in pages(client, url, headers, params, limit=limit)
        for row_id in ids(response)
    ]


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
