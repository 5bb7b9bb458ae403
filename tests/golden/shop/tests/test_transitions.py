"""Transitions: each moves a row from its states only, atomically, for its callers only.

A transition is one conditional UPDATE (``... WHERE state IN (from)``): from any other
state it changes nothing and answers 409 INVALID_TRANSITION naming the current state;
of two concurrent moves from the same state exactly one lands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.jobs.queue import SUBSCRIPTIONS
from app.models.jobs import Job
from app.repositories import order as order_repo
from tests import factories
from tests.factories import Account
from tests.helpers import assert_error, audit_trail, data
from tests.test_order import item as order_item

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]


def in_state(field: str, state: str) -> dict[str, Any]:
    """The factory values of a row in ``state``."""
    return {field: state}


def moved(response: httpx.Response, field: str, state: str) -> dict[str, Any]:
    """The row a successful move answers with, in its new state, with its ETag."""
    row: dict[str, Any] = data(response)
    assert row[field] == state
    assert response.headers["ETag"]
    return row


def refused(response: httpx.Response, field: str, state: str) -> None:
    """A 409 INVALID_TRANSITION that names the row's current state."""
    error = assert_error(response, 409, "INVALID_TRANSITION", fields={field})
    assert f"'{state}'" in error["message"]


async def queued(db: AsyncConnection, event: str, row_id: Any) -> int:
    """How many jobs ``event`` queued about the row."""
    statement = select(Job.payload).where(Job.name.in_(SUBSCRIPTIONS[event]))
    payloads = (await db.execute(statement)).scalars().all()
    await db.commit()
    return sum(payload.get("id") == str(row_id) for payload in payloads)


@pytest.mark.parametrize("source", ["draft"])
async def test_place_order_moves_the_row_from_each_of_its_states(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, source: str
) -> None:
    actor = await make_user("customer")
    row = await factories.create_order(db, actor, **in_state("status", source))
    # A second's slack for clocks that tick coarsely; sample values are years older.
    started = datetime.now(UTC) - timedelta(seconds=1)
    response = await client.post(f"{order_item(row['id'])}/place", headers=actor.headers)
    after = moved(response, "status", "placed")
    assert datetime.fromisoformat(after["placed_at"]) >= started
    trail = await audit_trail(db, row["id"])
    assert [entry[0] for entry in trail] == ["update"]
    assert trail[0][2] == str(actor.id)


async def test_place_order_from_another_state_is_refused(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    row = await factories.create_order(db, actor, **in_state("status", "placed"))
    response = await client.post(f"{order_item(row['id'])}/place", headers=actor.headers)
    refused(response, "status", "placed")
    stored = await order_repo.get_order(db, row["id"])
    await db.commit()
    assert stored is not None
    assert stored["updated_at"] == row["updated_at"]
    assert await audit_trail(db, row["id"]) == []


async def test_place_order_of_two_concurrent_calls_exactly_one_wins(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    row = await factories.create_order(db, actor, **in_state("status", "draft"))
    url = f"{order_item(row['id'])}/place"
    answers = await asyncio.gather(*(client.post(url, headers=actor.headers) for _ in range(2)))
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    refused(next(a for a in answers if a.status_code == 409), "status", "placed")
    assert [entry[0] for entry in await audit_trail(db, row["id"])] == ["update"]
    # The statement itself checks the state: a move from a state the row left matches nothing.
    again = await order_repo.transition_order(
        db, row["id"], "status", ("draft",), {"status": "placed"}
    )
    await db.commit()
    assert again is None


async def test_place_order_honours_if_match(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    reader = actor
    row = await factories.create_order(db, actor, **in_state("status", "draft"))
    url = order_item(row["id"])
    stale = (await client.get(url, headers=reader.headers)).headers["ETag"]
    await order_repo.update_order(db, row["id"], {})  # another writer changes the row
    await db.commit()
    response = await client.post(f"{url}/place", headers=actor.headers | {"If-Match": stale})
    assert_error(response, 412, "PRECONDITION_FAILED")
    current = (await client.get(url, headers=reader.headers)).headers["ETag"]
    response = await client.post(f"{url}/place", headers=actor.headers | {"If-Match": current})
    moved(response, "status", "placed")


async def test_place_order_is_refused_to_callers_its_rule_leaves_out(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    row = await factories.create_order(db, actor, **in_state("status", "draft"))
    url = f"{order_item(row['id'])}/place"
    assert_error(await client.post(url), 401, "AUTHENTICATION_REQUIRED")
    stranger = await make_user("customer")
    assert_error(await client.post(url, headers=stranger.headers), 404, "NOT_FOUND")
    assert await audit_trail(db, row["id"]) == []


@pytest.mark.parametrize("source", ["placed"])
async def test_pay_order_moves_the_row_from_each_of_its_states(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, source: str
) -> None:
    actor = await make_user("admin")
    row = await factories.create_order(db, actor, **in_state("status", source))
    # A second's slack for clocks that tick coarsely; sample values are years older.
    started = datetime.now(UTC) - timedelta(seconds=1)
    response = await client.post(f"{order_item(row['id'])}/pay", headers=actor.headers)
    after = moved(response, "status", "paid")
    assert datetime.fromisoformat(after["paid_at"]) >= started
    trail = await audit_trail(db, row["id"])
    assert [entry[0] for entry in trail] == ["update"]
    assert trail[0][2] == str(actor.id)
    assert await queued(db, "order.paid", row["id"]) == 1


async def test_pay_order_from_another_state_is_refused(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("admin")
    row = await factories.create_order(db, actor, **in_state("status", "paid"))
    response = await client.post(f"{order_item(row['id'])}/pay", headers=actor.headers)
    refused(response, "status", "paid")
    stored = await order_repo.get_order(db, row["id"])
    await db.commit()
    assert stored is not None
    assert stored["updated_at"] == row["updated_at"]
    assert await audit_trail(db, row["id"]) == []


async def test_pay_order_of_two_concurrent_calls_exactly_one_wins(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("admin")
    row = await factories.create_order(db, actor, **in_state("status", "placed"))
    url = f"{order_item(row['id'])}/pay"
    answers = await asyncio.gather(*(client.post(url, headers=actor.headers) for _ in range(2)))
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    refused(next(a for a in answers if a.status_code == 409), "status", "paid")
    assert [entry[0] for entry in await audit_trail(db, row["id"])] == ["update"]
    # The statement itself checks the state: a move from a state the row left matches nothing.
    again = await order_repo.transition_order(
        db, row["id"], "status", ("placed",), {"status": "paid"}
    )
    await db.commit()
    assert again is None


async def test_pay_order_honours_if_match(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("admin")
    reader = actor
    row = await factories.create_order(db, actor, **in_state("status", "placed"))
    url = order_item(row["id"])
    stale = (await client.get(url, headers=reader.headers)).headers["ETag"]
    await order_repo.update_order(db, row["id"], {})  # another writer changes the row
    await db.commit()
    response = await client.post(f"{url}/pay", headers=actor.headers | {"If-Match": stale})
    assert_error(response, 412, "PRECONDITION_FAILED")
    current = (await client.get(url, headers=reader.headers)).headers["ETag"]
    response = await client.post(f"{url}/pay", headers=actor.headers | {"If-Match": current})
    moved(response, "status", "paid")


async def test_pay_order_is_refused_to_callers_its_rule_leaves_out(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("admin")
    row = await factories.create_order(db, actor, **in_state("status", "placed"))
    url = f"{order_item(row['id'])}/pay"
    assert_error(await client.post(url), 401, "AUTHENTICATION_REQUIRED")
    denied = await make_user("customer")
    assert_error(await client.post(url, headers=denied.headers), 403, "FORBIDDEN")
    assert await audit_trail(db, row["id"]) == []


@pytest.mark.parametrize("source", ["paid"])
async def test_ship_order_moves_the_row_from_each_of_its_states(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, source: str
) -> None:
    actor = await make_user("admin")
    row = await factories.create_order(db, actor, **in_state("status", source))
    # A second's slack for clocks that tick coarsely; sample values are years older.
    started = datetime.now(UTC) - timedelta(seconds=1)
    response = await client.post(f"{order_item(row['id'])}/ship", headers=actor.headers)
    after = moved(response, "status", "shipped")
    assert date.fromisoformat(after["shipped_on"]) >= started.date()
    trail = await audit_trail(db, row["id"])
    assert [entry[0] for entry in trail] == ["update"]
    assert trail[0][2] == str(actor.id)
    assert await queued(db, "order.shipped", row["id"]) == 1


async def test_ship_order_from_another_state_is_refused(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("admin")
    row = await factories.create_order(db, actor, **in_state("status", "shipped"))
    response = await client.post(f"{order_item(row['id'])}/ship", headers=actor.headers)
    refused(response, "status", "shipped")
    stored = await order_repo.get_order(db, row["id"])
    await db.commit()
    assert stored is not None
    assert stored["updated_at"] == row["updated_at"]
    assert await audit_trail(db, row["id"]) == []


async def test_ship_order_of_two_concurrent_calls_exactly_one_wins(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("admin")
    row = await factories.create_order(db, actor, **in_state("status", "paid"))
    url = f"{order_item(row['id'])}/ship"
    answers = await asyncio.gather(*(client.post(url, headers=actor.headers) for _ in range(2)))
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    refused(next(a for a in answers if a.status_code == 409), "status", "shipped")
    assert [entry[0] for entry in await audit_trail(db, row["id"])] == ["update"]
    # The statement itself checks the state: a move from a state the row left matches nothing.
    again = await order_repo.transition_order(
        db, row["id"], "status", ("paid",), {"status": "shipped"}
    )
    await db.commit()
    assert again is None


async def test_ship_order_honours_if_match(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("admin")
    reader = actor
    row = await factories.create_order(db, actor, **in_state("status", "paid"))
    url = order_item(row["id"])
    stale = (await client.get(url, headers=reader.headers)).headers["ETag"]
    await order_repo.update_order(db, row["id"], {})  # another writer changes the row
    await db.commit()
    response = await client.post(f"{url}/ship", headers=actor.headers | {"If-Match": stale})
    assert_error(response, 412, "PRECONDITION_FAILED")
    current = (await client.get(url, headers=reader.headers)).headers["ETag"]
    response = await client.post(f"{url}/ship", headers=actor.headers | {"If-Match": current})
    moved(response, "status", "shipped")


async def test_ship_order_is_refused_to_callers_its_rule_leaves_out(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("admin")
    row = await factories.create_order(db, actor, **in_state("status", "paid"))
    url = f"{order_item(row['id'])}/ship"
    assert_error(await client.post(url), 401, "AUTHENTICATION_REQUIRED")
    denied = await make_user("customer")
    assert_error(await client.post(url, headers=denied.headers), 403, "FORBIDDEN")
    assert await audit_trail(db, row["id"]) == []


@pytest.mark.parametrize("source", ["draft", "placed"])
async def test_cancel_order_moves_the_row_from_each_of_its_states(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, source: str
) -> None:
    actor = await make_user("customer")
    row = await factories.create_order(db, actor, **in_state("status", source))
    response = await client.post(f"{order_item(row['id'])}/cancel", headers=actor.headers)
    moved(response, "status", "cancelled")
    trail = await audit_trail(db, row["id"])
    assert [entry[0] for entry in trail] == ["update"]
    assert trail[0][2] == str(actor.id)


async def test_cancel_order_from_another_state_is_refused(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    row = await factories.create_order(db, actor, **in_state("status", "cancelled"))
    response = await client.post(f"{order_item(row['id'])}/cancel", headers=actor.headers)
    refused(response, "status", "cancelled")
    stored = await order_repo.get_order(db, row["id"])
    await db.commit()
    assert stored is not None
    assert stored["updated_at"] == row["updated_at"]
    assert await audit_trail(db, row["id"]) == []


async def test_cancel_order_of_two_concurrent_calls_exactly_one_wins(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    row = await factories.create_order(db, actor, **in_state("status", "draft"))
    url = f"{order_item(row['id'])}/cancel"
    answers = await asyncio.gather(*(client.post(url, headers=actor.headers) for _ in range(2)))
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    refused(next(a for a in answers if a.status_code == 409), "status", "cancelled")
    assert [entry[0] for entry in await audit_trail(db, row["id"])] == ["update"]
    # The statement itself checks the state: a move from a state the row left matches nothing.
    again = await order_repo.transition_order(
        db, row["id"], "status", ("draft", "placed"), {"status": "cancelled"}
    )
    await db.commit()
    assert again is None


async def test_cancel_order_honours_if_match(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    reader = actor
    row = await factories.create_order(db, actor, **in_state("status", "draft"))
    url = order_item(row["id"])
    stale = (await client.get(url, headers=reader.headers)).headers["ETag"]
    await order_repo.update_order(db, row["id"], {})  # another writer changes the row
    await db.commit()
    response = await client.post(f"{url}/cancel", headers=actor.headers | {"If-Match": stale})
    assert_error(response, 412, "PRECONDITION_FAILED")
    current = (await client.get(url, headers=reader.headers)).headers["ETag"]
    response = await client.post(f"{url}/cancel", headers=actor.headers | {"If-Match": current})
    moved(response, "status", "cancelled")


async def test_cancel_order_is_refused_to_callers_its_rule_leaves_out(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("customer")
    row = await factories.create_order(db, actor, **in_state("status", "draft"))
    url = f"{order_item(row['id'])}/cancel"
    assert_error(await client.post(url), 401, "AUTHENTICATION_REQUIRED")
    stranger = await make_user("customer")
    assert_error(await client.post(url, headers=stranger.headers), 404, "NOT_FOUND")
    assert await audit_trail(db, row["id"]) == []
