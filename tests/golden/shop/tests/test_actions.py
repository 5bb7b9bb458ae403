"""Custom actions: each runs its handler of app/domain on a row its caller may act on.

The handler runs in one transaction with the action's audit entry; the answer is the row
as the handler left it. A handler's domain error refuses the action with its code, and an
action whose handler is missing answers 501 NOT_IMPLEMENTED.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.domain import OutOfStock
from app.core.hooks import ActionCall
from app.domain import product as product_hooks
from tests import factories
from tests.factories import Account
from tests.helpers import assert_error, audit_trail, data
from tests.test_product import item as product_item

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]


async def test_restock_product_runs_its_handler_on_the_row(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    make_user: MakeUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    actor = await make_user("admin")
    row = await factories.create_product(db, actor)
    url = f"{product_item(row['id'])}/restock"
    response = await client.post(url, headers=actor.headers)  # the handler as generated
    assert data(response)["id"] == str(row["id"])
    assert response.headers["ETag"]
    seen: list[ActionCall] = []

    async def handler(action: ActionCall) -> None:
        seen.append(action)

    monkeypatch.setattr(product_hooks, "restock", handler)
    assert data(await client.post(url, headers=actor.headers))["id"] == str(row["id"])
    assert [(call.name, call.row_id, call.row["id"]) for call in seen] == [
        ("restock", row["id"], row["id"])
    ]
    trail = await audit_trail(db, row["id"])
    assert [entry[0] for entry in trail] == ["update", "update"]


async def test_restock_product_refused_by_its_handler_changes_nothing(
    client: httpx.AsyncClient,
    db: AsyncConnection,
    make_user: MakeUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    actor = await make_user("admin")
    row = await factories.create_product(db, actor)
    url = f"{product_item(row['id'])}/restock"

    async def refuse(action: ActionCall) -> None:
        raise OutOfStock("Refused by the test's handler.")

    monkeypatch.setattr(product_hooks, "restock", refuse)
    assert_error(await client.post(url, headers=actor.headers), 409, "OUT_OF_STOCK")
    monkeypatch.delattr(product_hooks, "restock")
    assert_error(await client.post(url, headers=actor.headers), 501, "NOT_IMPLEMENTED")
    assert await audit_trail(db, row["id"]) == []
    unknown = f"{product_item('00000000-0000-4000-8000-000000000000')}/restock"
    assert_error(await client.post(unknown, headers=actor.headers), 404, "NOT_FOUND")


async def test_restock_product_is_refused_to_callers_its_rule_leaves_out(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    actor = await make_user("admin")
    row = await factories.create_product(db, actor)
    url = f"{product_item(row['id'])}/restock"
    assert_error(await client.post(url), 401, "AUTHENTICATION_REQUIRED")
    denied = await make_user("customer")
    assert_error(await client.post(url, headers=denied.headers), 403, "FORBIDDEN")
    assert await audit_trail(db, row["id"]) == []
