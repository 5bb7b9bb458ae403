"""Stats (``GET .../stats``): the counts and sums of exactly the rows the caller may list.

Each test makes rows of two owners, then compares the stats with the list the same
caller gets, computed here from the list's rows: by each key, and with no key. A stats
answer that counted a row the list hides, or missed one it shows, fails.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests import factories
from tests.factories import Account
from tests.helpers import assert_error, data, pages

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
# (key, the row field it reads, how many characters of its text make the period)
Key = tuple[str, str, int]
# (name, function, field, decimal places or None)
Measure = tuple[str, str, str, int | None]


def group_of(row: dict[str, Any], keys: list[Key]) -> tuple[Any, ...]:
    """The values of the stats keys of a listed row."""
    values = []
    for _, field, period in keys:
        value = row[field]
        values.append(value[:period] if period and value is not None else value)
    return tuple(values)


def expected(rows: list[dict[str, Any]], measure: Measure) -> Any:
    """A measure computed from the listed rows, as the stats answer it."""
    _, function, field, places = measure
    if function == "count":
        return len(rows)
    values = [row[field] for row in rows if row[field] is not None]
    if not values:
        return None
    if function in ("min", "max"):
        pick = min if function == "min" else max
        return pick(values, key=Decimal if places is not None else None)
    total = sum((Decimal(str(value)) for value in values), Decimal(0))
    step = Decimal(1).scaleb(-(places or 0))
    if function == "sum":
        return str(total.quantize(step)) if places is not None else int(total)
    return str((total / len(values)).quantize(step / 100))


async def agrees_with_the_list(
    client: httpx.AsyncClient,
    collection: str,
    caller: Account,
    keys: list[Key],
    measures: list[Measure],
) -> None:
    listed = [
        row
        async for response in pages(client, collection, caller.headers)
        for row in data(response)
    ]
    for grouping in [[], *([key] for key in keys)]:
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("group_by", key[0]) for key in grouping
        ]
        answer = data(
            await client.get(f"{collection}/stats", params=params, headers=caller.headers)
        )
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for row in listed:
            groups.setdefault(group_of(row, grouping), []).append(row)
        if not grouping and not listed:
            groups[()] = []
        assert len(answer) == len(groups), (grouping, answer)
        for item in answer:
            group = tuple(item["group"][key[0]] for key in grouping)
            for measure in measures:
                assert item[measure[0]] == expected(groups[group], measure), (group, measure)


KEYS_ORDER: list[Key] = [
    ("status", "status", 0),
    ("customer", "customer_id", 0),
    ("created_at:month", "created_at", 7),
]
MEASURES_ORDER: list[Measure] = [("count", "count", "", None)]


async def test_orders_stats_agree_with_the_list(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("customer")
    other = await make_user("customer")
    for sample in range(3):
        await factories.create_order(db, caller, sample)
        await factories.create_order(db, other)  # a fresh copy: its unique values are new
    await agrees_with_the_list(client, "/api/v1/orders", caller, KEYS_ORDER, MEASURES_ORDER)


async def test_orders_stats_refuse_an_unknown_key(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("customer")
    response = await client.get(
        "/api/v1/orders/stats", params={"group_by": "no_such_key"}, headers=caller.headers
    )
    assert_error(response, 422, "VALIDATION_ERROR")


KEYS_ORDER_ITEM: list[Key] = [("product", "product_id", 0), ("created_at:month", "created_at", 7)]
MEASURES_ORDER_ITEM: list[Measure] = [
    ("count", "count", "", None),
    ("sum_quantity", "sum", "quantity", None),
    ("sum_unit_price", "sum", "unit_price", 2),
    ("avg_unit_price", "avg", "unit_price", 2),
    ("max_unit_price", "max", "unit_price", 2),
]


async def test_order_items_stats_agree_with_the_list(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("customer")
    other = await make_user("customer")
    for sample in range(3):
        await factories.create_order_item(db, caller, sample)
        await factories.create_order_item(db, other)  # a fresh copy: its unique values are new
    await agrees_with_the_list(
        client, "/api/v1/order_items", caller, KEYS_ORDER_ITEM, MEASURES_ORDER_ITEM
    )


async def test_order_items_stats_refuse_an_unknown_key(
    client: httpx.AsyncClient, db: AsyncConnection, make_user: MakeUser
) -> None:
    caller = await make_user("customer")
    response = await client.get(
        "/api/v1/order_items/stats", params={"group_by": "no_such_key"}, headers=caller.headers
    )
    assert_error(response, 422, "VALIDATION_ERROR")
