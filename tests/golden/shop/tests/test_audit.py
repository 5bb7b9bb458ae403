"""The audit log endpoint: the admin role reads every write, newest first."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.repositories.audit import audit_log
from tests.factories import Account
from tests.helpers import MAX_PAGE_SIZE, PAGE_SIZE, assert_error, data, ids, listed

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
AUDIT = "/api/v1/audit-log"
FIRST, SECOND = uuid.uuid4(), uuid.uuid4()


async def add_entries(db: AsyncConnection, actor: Account) -> list[str]:
    """Three audit rows a second apart, oldest first: two about FIRST, one about SECOND."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rows = [
        ("create", "alpha", FIRST, actor.id),
        ("update", "alpha", FIRST, None),
        ("delete", "beta", SECOND, actor.id),
    ]
    entry_ids = []
    for n, (action, entity, entity_id, actor_id) in enumerate(rows):
        entry_id = uuid.uuid4()
        await db.execute(
            insert(audit_log).values(
                id=entry_id,
                actor_id=actor_id,
                action=action,
                entity=entity,
                entity_id=entity_id,
                request_id=f"req-{n}",
                detail=None,
                created_at=start + timedelta(seconds=n),
            )
        )
        entry_ids.append(str(entry_id))
    await db.commit()
    return entry_ids


async def test_admin_lists_the_audit_log_newest_first(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    admin = await make_user("admin")
    entries = await add_entries(db, admin)
    response = await client.get(AUDIT, headers=admin.headers)
    assert ids(response) == entries[::-1][:PAGE_SIZE]
    assert response.json()["meta"] == {"page": 1, "limit": PAGE_SIZE, "total": 3}
    assert await listed(client, AUDIT, admin.headers) == entries[::-1]
    newest = data(response)[0]
    assert newest["action"] == "delete"
    assert newest["entity"] == "beta"
    assert newest["entity_id"] == str(SECOND)
    assert newest["actor_id"] == str(admin.id)
    assert newest["request_id"] == "req-2"
    limit = min(2, MAX_PAGE_SIZE)
    second_page = await client.get(AUDIT, params={"limit": limit, "page": 2}, headers=admin.headers)
    assert ids(second_page) == entries[::-1][limit : 2 * limit]
    assert second_page.json()["meta"]["total"] == 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"entity": "alpha"}, [1, 0]),
        ({"entity_id": str(SECOND)}, [2]),
        ({"entity": "alpha", "entity_id": str(FIRST)}, [1, 0]),
        ({"entity": "gamma"}, []),
    ],
)
async def test_audit_log_filters_by_entity_and_entity_id(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    make_user: MakeUser,
    params: dict[str, str],
    expected: list[int],
) -> None:
    admin = await make_user("admin")
    entries = await add_entries(db, admin)
    assert await listed(client, AUDIT, admin.headers, params) == [entries[n] for n in expected]


async def test_audit_log_filters_by_actor(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    admin = await make_user("admin")
    entries = await add_entries(db, admin)
    params = {"actor_id": str(admin.id)}
    assert await listed(client, AUDIT, admin.headers, params) == [entries[2], entries[0]]


async def test_audit_log_is_refused_to_anonymous_callers(client: httpx.AsyncClient) -> None:
    assert_error(await client.get(AUDIT), 401, "AUTHENTICATION_REQUIRED")
    # The caller before the query: no word on what valid parameters are.
    assert_error(await client.get(AUDIT, params={"limit": "0"}), 401, "AUTHENTICATION_REQUIRED")


async def test_audit_log_is_refused_to_non_admins(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("customer")
    await add_entries(db, caller)
    assert_error(await client.get(AUDIT, headers=caller.headers), 403, "FORBIDDEN")
    refused = await client.get(AUDIT, params={"limit": "0"}, headers=caller.headers)
    assert_error(refused, 403, "FORBIDDEN")


async def test_audit_log_refuses_bad_parameters(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    admin = await make_user("admin")
    params = {"entity_id": "not-a-uuid", "actor_id": "1", "limit": "0", "sort": "created_at"}
    response = await client.get(AUDIT, params=params, headers=admin.headers)
    fields = {"query.entity_id", "query.actor_id", "query.limit", "query.sort"}
    assert_error(response, 422, "VALIDATION_ERROR", fields=fields)
