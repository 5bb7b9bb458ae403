"""Field-level permissions: a field only some roles may see is absent from every answer
to the others; a field only some roles may set is refused (403) from the others, and a
replace by them keeps its value.

Each role acts on a row of its own, so the row's own rules let both of them at it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from app.repositories import customer as customer_repo
from tests import factories
from tests import test_customer as customer_tests
from tests.factories import Account
from tests.helpers import assert_error, data, pages

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]


async def test_customer_credit_limit_is_set_only_by_its_writers(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    refused = await make_user("customer")
    row = await factories.create_customer(db, refused, **{"credit_limit": Decimal("0.00")})
    item = customer_tests.item(row["id"])
    response = await client.patch(item, json={"credit_limit": "0.00"}, headers=refused.headers)
    assert_error(response, 403, "FORBIDDEN", fields={"body.credit_limit"})
    # A replace by a role that may not set it leaves it as it was.
    body = await customer_tests.valid_body(db, refused)
    assert "credit_limit" not in body
    replaced = await client.put(item, json=body, headers=refused.headers)
    assert replaced.status_code == 200, replaced.text
    kept = await customer_repo.get_customer(db, row["id"])
    await db.commit()  # end the read
    assert kept is not None
    assert kept["credit_limit"] == row["credit_limit"]
    writer = await make_user("admin")
    own = await factories.create_customer(db, writer)
    changed = await client.patch(
        customer_tests.item(own["id"]), json={"credit_limit": "0.00"}, headers=writer.headers
    )
    assert changed.status_code == 200, changed.text
    assert "credit_limit" in data(changed)


@pytest.mark.parametrize(("role", "shown"), [("admin", True), ("customer", False)])
async def test_customer_support_note_is_shown_only_to_its_readers(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser, role: str, shown: bool
) -> None:
    caller = await make_user(role)
    row = await factories.create_customer(db, caller)
    response = await client.get(customer_tests.item(row["id"]), headers=caller.headers)
    assert ("support_note" in data(response)) is shown
    listed = [
        each
        async for page in pages(client, customer_tests.COLLECTION, caller.headers)
        for each in data(page)
        if each["id"] == str(row["id"])
    ]
    assert len(listed) == 1
    assert ("support_note" in listed[0]) is shown
    # The ETag is of the row as the caller sees it: If-Match with it holds.
    headers = {**caller.headers, "If-Match": response.headers["ETag"]}
    changed = await client.patch(customer_tests.item(row["id"]), json={}, headers=headers)
    assert ("support_note" in data(changed)) is shown


async def test_customer_support_note_is_set_only_by_its_writers(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    refused = await make_user("customer")
    row = await factories.create_customer(db, refused, **{"support_note": "Support note 0001"})
    item = customer_tests.item(row["id"])
    response = await client.patch(
        item, json={"support_note": "Sample support note"}, headers=refused.headers
    )
    assert_error(response, 403, "FORBIDDEN", fields={"body.support_note"})
    # A replace by a role that may not set it leaves it as it was.
    body = await customer_tests.valid_body(db, refused)
    assert "support_note" not in body
    replaced = await client.put(item, json=body, headers=refused.headers)
    assert replaced.status_code == 200, replaced.text
    kept = await customer_repo.get_customer(db, row["id"])
    await db.commit()  # end the read
    assert kept is not None
    assert kept["support_note"] == row["support_note"]
    writer = await make_user("admin")
    own = await factories.create_customer(db, writer)
    changed = await client.patch(
        customer_tests.item(own["id"]),
        json={"support_note": "Sample support note"},
        headers=writer.headers,
    )
    assert changed.status_code == 200, changed.text
    assert "support_note" in data(changed)
