"""Customer writes: idempotent creates, conditional changes (ETag / If-Match), the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.domain import OutOfStock
from app.core.hooks import Change
from app.domain import customer as domain_hooks
from app.repositories import customer as repo
from app.repositories.idempotency import idempotency_keys
from tests import factories
from tests.factories import Account
from tests.helpers import assert_error, audit_trail, data
from tests.test_customer import COLLECTION, UNKNOWN, item, valid_body

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
TABLE = repo.customers
ENTITY = "customers"


async def row_count(db: AsyncConnection) -> int:
    count = int(await db.scalar(select(func.count()).select_from(TABLE)) or 0)
    await db.commit()  # end the read, so the next one sees later writes
    return count


def keyed(account: Account, key: str) -> dict[str, str]:
    return account.headers | {"Idempotency-Key": key}


def if_match(account: Account, tag: str) -> dict[str, str]:
    return account.headers | {"If-Match": tag}


SERVER_OWNED = {
    "id": str(uuid.uuid4()),
    "owner_id": str(uuid.uuid4()),
    "created_at": "2000-01-01T00:00:00Z",
    "updated_at": "2000-01-01T00:00:00Z",
    "role": "admin",
}


@pytest.mark.parametrize("field", sorted(SERVER_OWNED))
async def test_create_refuses_server_owned_fields(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, field: str
) -> None:
    actor = await make_user("customer")
    body = await valid_body(db, actor) | {field: SERVER_OWNED[field]}
    # Counted after valid_body: its parent rows may be rows of this very table.
    before = await row_count(db)
    response = await client.post(COLLECTION, json=body, headers=actor.headers)
    assert_error(response, 422, "VALIDATION_ERROR", fields={field})
    assert await row_count(db) == before
    # A change is refused alike, asked by someone who may change the row.
    editor = await make_user("customer")
    row = await factories.create_customer(db, editor)
    patched = await client.patch(
        item(row["id"]), json={field: SERVER_OWNED[field]}, headers=editor.headers
    )
    assert_error(patched, 422, "VALIDATION_ERROR", fields={field})


async def test_idempotent_create_replays_the_stored_response(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    body = await valid_body(db, actor)
    first = await client.post(COLLECTION, json=body, headers=keyed(actor, "create-once"))
    row = data(first, 201)
    assert "Idempotent-Replayed" not in first.headers
    count = await row_count(db)
    retry = await client.post(COLLECTION, json=body, headers=keyed(actor, "create-once"))
    assert data(retry, 201) == row
    assert retry.headers["Location"] == first.headers["Location"] == item(row["id"])
    assert retry.headers["ETag"] == first.headers["ETag"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    # The same JSON with its keys in another order is the same request.
    reordered = dict(reversed(list(body.items())))
    again = await client.post(COLLECTION, json=reordered, headers=keyed(actor, "create-once"))
    assert data(again, 201)["id"] == row["id"]
    assert await row_count(db) == count
    assert [entry[0] for entry in await audit_trail(db, row["id"])] == ["create"]


async def test_idempotency_key_reused_for_another_request_is_refused(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    body = await valid_body(db, actor)
    data(await client.post(COLLECTION, json=body, headers=keyed(actor, "one-request")), 201)
    count = await row_count(db)
    other = body | {"name": "Ada Lovelacx"}
    response = await client.post(COLLECTION, json=other, headers=keyed(actor, "one-request"))
    assert_error(response, 422, "IDEMPOTENCY_KEY_REUSED")
    for bad_key in ("x" * 256, "has space", ""):
        response = await client.post(COLLECTION, json=body, headers=keyed(actor, bad_key))
        assert_error(response, 422, "VALIDATION_ERROR", fields={"header.Idempotency-Key"})
    assert await row_count(db) == count


async def test_idempotency_keys_are_scoped_to_their_user(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    first_user = await make_user("customer")
    second_user = await make_user("customer")
    body = await valid_body(db, first_user)
    mine = data(
        await client.post(COLLECTION, json=body, headers=keyed(first_user, "shared-key")), 201
    )
    theirs = await client.post(
        COLLECTION, json=await valid_body(db, second_user), headers=keyed(second_user, "shared-key")
    )
    assert data(theirs, 201)["id"] != mine["id"]
    assert "Idempotent-Replayed" not in theirs.headers
    replay = await client.post(COLLECTION, json=body, headers=keyed(first_user, "shared-key"))
    assert data(replay, 201)["id"] == mine["id"]
    assert replay.headers["Idempotent-Replayed"] == "true"


async def test_an_expired_idempotency_key_is_forgotten(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    body = await valid_body(db, actor)
    first = data(await client.post(COLLECTION, json=body, headers=keyed(actor, "expiring")), 201)
    await db.execute(update(idempotency_keys).values(expires_at=datetime(2000, 1, 1, tzinfo=UTC)))
    await db.commit()
    second = await client.post(COLLECTION, json=body, headers=keyed(actor, "expiring"))
    assert data(second, 201)["id"] != first["id"]
    assert "Idempotent-Replayed" not in second.headers
    stored = await db.scalar(select(func.count()).select_from(idempotency_keys))
    await db.commit()
    assert stored == 1  # the expired key was replaced, not kept beside the new one


async def test_read_returns_an_etag_that_every_write_changes(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    row = await factories.create_customer(db, actor)
    url = item(row["id"])
    reader = actor
    tag = (await client.get(url, headers=reader.headers)).headers["ETag"]
    assert tag.startswith('"')  # strong, not W/"..."
    assert tag.endswith('"')
    assert (await client.get(url, headers=reader.headers)).headers["ETag"] == tag
    replaced = await client.put(url, json=await valid_body(db, actor), headers=if_match(actor, tag))
    data(replaced)
    assert replaced.headers["ETag"] != tag
    assert (await client.get(url, headers=reader.headers)).headers["ETag"] == replaced.headers[
        "ETag"
    ]
    updated = await client.patch(url, json={}, headers=if_match(actor, replaced.headers["ETag"]))
    data(updated)
    assert updated.headers["ETag"] not in (tag, replaced.headers["ETag"])


async def test_stale_if_match_is_refused_with_412(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    row = await factories.create_customer(db, actor)
    url = item(row["id"])
    reader = actor
    stale = (await client.get(url, headers=reader.headers)).headers["ETag"]
    # If-Match is optional: a write without it always applies.
    current = (await client.patch(url, json={}, headers=actor.headers)).headers["ETag"]
    body = await valid_body(db, actor)
    for response in (
        await client.put(url, json=body, headers=if_match(actor, stale)),
        await client.patch(url, json={}, headers=if_match(actor, stale)),
        await client.patch(url, json={}, headers=if_match(actor, f"W/{current}")),
    ):
        assert_error(response, 412, "PRECONDITION_FAILED")
    assert (await client.get(url, headers=reader.headers)).headers["ETag"] == current
    assert [entry[0] for entry in await audit_trail(db, row["id"])] == ["update"]
    data(await client.patch(url, json={}, headers=if_match(actor, f"{stale}, {current}")))
    data(await client.put(url, json=body, headers=if_match(actor, "*")))
    missing = await client.patch(item(UNKNOWN), json={}, headers=if_match(actor, current))
    assert_error(missing, 404, "NOT_FOUND")


async def test_stale_if_match_is_refused_with_412_on_delete(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("admin")
    row = await factories.create_customer(db, actor)
    url = item(row["id"])
    reader = actor
    stale = (await client.get(url, headers=reader.headers)).headers["ETag"]
    await repo.update_customer(db, row["id"], {})  # another writer changes the row
    await db.commit()
    assert_error(
        await client.delete(url, headers=if_match(actor, stale)), 412, "PRECONDITION_FAILED"
    )
    current = (await client.get(url, headers=reader.headers)).headers["ETag"]
    assert_error(
        await client.delete(item(UNKNOWN), headers=if_match(actor, current)), 404, "NOT_FOUND"
    )
    assert (await client.delete(url, headers=if_match(actor, current))).status_code == 204
    assert_error(await client.get(url, headers=reader.headers), 404, "NOT_FOUND")


async def test_concurrent_writers_cannot_lose_an_update(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    row = await factories.create_customer(db, actor)
    url = item(row["id"])
    reader = actor
    # Two clients read the same version...
    first_read = await client.get(url, headers=reader.headers)
    second_read = await client.get(url, headers=reader.headers)
    body = await valid_body(db, actor)
    # ...the first write wins; the second is refused instead of overwriting it unseen.
    won = await client.put(url, json=body, headers=if_match(actor, first_read.headers["ETag"]))
    data(won)
    late = await client.put(url, json=body, headers=if_match(actor, second_read.headers["ETag"]))
    assert_error(late, 412, "PRECONDITION_FAILED")
    assert (await client.get(url, headers=reader.headers)).headers["ETag"] == won.headers["ETag"]


async def test_a_write_between_check_and_update_is_not_lost(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    row = await factories.create_customer(db, actor)
    seen = row["updated_at"]  # the version a conditional write has just checked
    data(await client.patch(item(row["id"]), json={}, headers=actor.headers))  # lands in between
    # The compare-and-set in the statement itself finds no row of that version.
    assert await repo.update_customer(db, row["id"], {}, seen=seen) is None
    assert await repo.delete_customer(db, row["id"], seen=seen) is False
    current = await repo.get_customer(db, row["id"])
    assert current is not None
    changed = await repo.update_customer(db, row["id"], {}, seen=current["updated_at"])
    assert changed is not None
    assert changed["updated_at"] > current["updated_at"]
    await db.commit()


async def test_writes_are_audited_with_request_id(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    creator = await make_user("customer")
    body = await valid_body(db, creator)
    response = await client.post(
        COLLECTION, json=body, headers=creator.headers | {"X-Request-ID": "req-create"}
    )
    created = data(response, 201)
    assert await audit_trail(db, created["id"]) == [
        ("create", ENTITY, str(creator.id), "req-create")
    ]
    editor = await make_user("customer")
    row = await factories.create_customer(db, editor)
    url = item(row["id"])
    body = await valid_body(db, editor)
    data(await client.put(url, json=body, headers=editor.headers | {"X-Request-ID": "req-replace"}))
    data(await client.patch(url, json={}, headers=editor.headers | {"X-Request-ID": "req-update"}))
    expected = [
        ("replace", ENTITY, str(editor.id), "req-replace"),
        ("update", ENTITY, str(editor.id), "req-update"),
    ]
    assert await audit_trail(db, row["id"]) == expected
    # A refused write leaves no trace.
    refused = await client.put(url, json=body, headers=if_match(editor, '"stale"'))
    assert_error(refused, 412, "PRECONDITION_FAILED")
    assert len(await audit_trail(db, row["id"])) == len(expected)
    deleter = await make_user("admin")
    doomed = await factories.create_customer(db, deleter)
    gone = await client.delete(
        item(doomed["id"]), headers=deleter.headers | {"X-Request-ID": "req-delete"}
    )
    assert gone.status_code == 204
    assert await audit_trail(db, doomed["id"]) == [
        ("delete", ENTITY, str(deleter.id), "req-delete")
    ]


REFUSED = "Refused by a hook of this test."


async def refuse(change: Change) -> None:
    """A hook that refuses every write it sees."""
    raise OutOfStock(REFUSED)


async def test_a_hook_that_raises_refuses_the_create_and_writes_nothing(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    make_user: MakeUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The hooks run in the insert's transaction: raising after the insert undoes it too.
    actor = await make_user("customer")
    body = await valid_body(db, actor)
    before = await row_count(db)
    for hook in ("before_create", "after_create"):
        monkeypatch.setattr(domain_hooks, hook, refuse)
        response = await client.post(COLLECTION, json=body, headers=actor.headers)
        monkeypatch.undo()
        error = assert_error(response, 409, "OUT_OF_STOCK")
        assert error["message"] == REFUSED, hook
    assert await row_count(db) == before


async def test_a_hook_that_raises_refuses_the_change_and_changes_nothing(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    make_user: MakeUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    actor = await make_user("customer")
    row = await factories.create_customer(db, actor)
    for hook in ("before_update", "after_update"):
        monkeypatch.setattr(domain_hooks, hook, refuse)
        response = await client.patch(
            item(row["id"]), json={"name": "Ada Lovelace"}, headers=actor.headers
        )
        monkeypatch.undo()
        assert_error(response, 409, "OUT_OF_STOCK")
    stored = await db.scalar(select(TABLE.c.updated_at).where(TABLE.c.id == row["id"]))
    await db.commit()
    assert stored == row["updated_at"]


async def test_a_hook_that_raises_refuses_the_delete_and_keeps_the_row(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    make_user: MakeUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    actor = await make_user("admin")
    row = await factories.create_customer(db, actor)
    monkeypatch.setattr(domain_hooks, "before_delete", refuse)
    response = await client.delete(item(row["id"]), headers=actor.headers)
    monkeypatch.undo()
    assert_error(response, 409, "OUT_OF_STOCK")
    assert (
        await db.scalar(select(func.count()).select_from(TABLE).where(TABLE.c.id == row["id"])) == 1
    )
    await db.commit()
