"""Rules between two fields of a row, kept by the API and by the database alike.

Each rule is checked three ways: a body that breaks it is refused before anything is
written; a change of one side that breaks it against the row's stored other side is
refused by the database's CHECK, and the answer is the same 422 naming both fields; a
row written straight to the database that breaks it is refused by the CHECK too. Both
start from sample 0, whose values the change was computed against.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tests import factories
from tests import test_product as product_tests
from tests.factories import Account
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]


async def test_product_rule_1_is_kept_by_the_api_and_the_database(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    """sale_price < price"""
    creator = await make_user("admin")
    body = await product_tests.valid_body(db, creator) | {"sale_price": "1.01"}
    refused = await client.post(product_tests.COLLECTION, json=body, headers=creator.headers)
    assert_error(refused, 422, "VALIDATION_ERROR", fields={"price", "sale_price"})

    # Sample 0 itself (a fresh copy may draw new values for either side), changed as the
    # body was: refused by the rule's CHECK (or another rule's over the same two fields).
    with pytest.raises(IntegrityError) as caught:
        await factories.create_product(db, creator, 0, **{"sale_price": Decimal("1.01")})
    await db.rollback()
    assert "ck_products_sale_price_lt_price" in str(caught.value)

    editor = await make_user("admin")
    row = await factories.create_product(db, editor, 0)
    changed = await client.patch(
        product_tests.item(row["id"]), json={"sale_price": "1.01"}, headers=editor.headers
    )
    assert_error(changed, 422, "VALIDATION_ERROR", fields={"price", "sale_price"})
