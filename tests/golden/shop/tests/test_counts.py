"""Live-row counts: triggers keep ``row_counts`` exact through every kind of write, and
an unfiltered list reads its total from there.

Each test compares every kept count with a ``count(*)`` of the live rows, so a missing
or wrong trigger fails here (and ``test_counted_tables_have_their_triggers`` names it).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.models import Base
from app.models.counts import COUNTED, row_counts
from app.repositories import customer as repo
from tests import factories
from tests.factories import Account

pytestmark = pytest.mark.anyio

MakeUser = Callable[..., Awaitable[Account]]
TABLES: dict[str, Table] = {name: Base.metadata.tables[name] for name in COUNTED}
# Children before parents, so deleting table by table never cascades.
CHILDREN_FIRST = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name in COUNTED]
# Tables no foreign key points at: any of their rows can be deleted on its own (a row
# of another table may be held by a restricting child; cascades have their own test).
LEAVES = [
    name
    for name in CHILDREN_FIRST
    if not any(
        fk.column.table.name == name
        for table in Base.metadata.tables.values()
        for fk in table.foreign_keys
    )
]


async def kept(db: AsyncConnection, table: str) -> int:
    """The count the triggers keep for ``table``."""
    total = func.coalesce(func.sum(row_counts.c.live), 0)
    value = await db.scalar(select(total).where(row_counts.c.table_name == table))
    await db.commit()  # end the read, so the next one sees later writes
    return int(value or 0)


async def live(db: AsyncConnection, table: str) -> int:
    """The live rows of ``table``, counted."""
    counted = TABLES[table]
    statement = select(func.count()).select_from(counted)
    column = COUNTED[table]
    if column is not None:
        statement = statement.where(counted.c[column].is_(None))
    value = await db.scalar(statement)
    await db.commit()
    return int(value or 0)


async def assert_exact(db: AsyncConnection) -> None:
    """Every kept count equals the number of live rows."""
    for table in COUNTED:
        assert await kept(db, table) == await live(db, table), f"count of {table} is off"


async def create_rows(db: AsyncConnection, owner: Account, rows: int = 3) -> None:
    for _ in range(rows):
        await factories.create_customer(db, owner)
        await factories.create_product(db, owner)
        await factories.create_order(db, owner)
        await factories.create_order_item(db, owner)


async def ids_of(db: AsyncConnection, table: str) -> list[object]:
    found = list((await db.execute(select(TABLES[table].c.id))).scalars())
    await db.commit()
    return found


async def trigger_names(db: AsyncConnection, table: str) -> set[str]:
    if db.dialect.name == "postgresql":
        query = text(
            "SELECT tgname FROM pg_trigger"
            " WHERE tgrelid = CAST(:table AS regclass) AND NOT tgisinternal"
        )
    else:
        query = text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table")
    names = {str(name) for name in (await db.execute(query, {"table": table})).scalars()}
    # Those of a full-text index are not counts'.
    names = {name for name in names if not name.startswith("_search_")}
    await db.commit()
    return names


async def test_counted_tables_have_their_triggers(db: AsyncConnection) -> None:
    for table, column in COUNTED.items():
        events = {"insert", "delete"} | ({"update"} if column else set())
        if db.dialect.name == "postgresql":
            events.add("truncate")
        expected = {f"{table}_count_{event}" for event in events}
        assert await trigger_names(db, table) == expected


async def test_counts_follow_creates_and_deletes(db: AsyncConnection, make_user: MakeUser) -> None:
    await create_rows(db, await make_user())
    await assert_exact(db)
    assert await kept(db, "customers") >= 3
    for table in LEAVES:
        table_ids = await ids_of(db, table)
        await db.execute(delete(TABLES[table]).where(TABLES[table].c.id == table_ids[0]))
        await db.commit()
        await assert_exact(db)
        await db.execute(delete(TABLES[table]).where(TABLES[table].c.id.in_(table_ids[1:3])))
        await db.commit()
        await assert_exact(db)
    for table in CHILDREN_FIRST:
        await db.execute(delete(TABLES[table]))
        await db.commit()
        await assert_exact(db)
        assert await kept(db, table) == 0


async def test_counts_follow_cascading_deletes(db: AsyncConnection, make_user: MakeUser) -> None:
    owner = await make_user()
    children = [await factories.create_order_item(db, owner) for _ in range(3)]
    before = await kept(db, "order_items")
    parents = Base.metadata.tables["orders"]
    doomed = [children[0]["order_id"], children[1]["order_id"]]
    await db.execute(delete(parents).where(parents.c.id.in_(doomed)))
    await db.commit()
    assert await kept(db, "order_items") < before
    await assert_exact(db)


async def test_unfiltered_list_reads_the_kept_count(
    db: AsyncConnection, make_user: MakeUser
) -> None:
    owner = await make_user()
    for _ in range(3):
        await factories.create_customer(db, owner)
    listed = await live(db, "customers")

    async def total(page: int = 1, owner_id: uuid.UUID | None = None) -> int:
        _, found = await repo.list_customers(
            db, filters={}, sort="-created_at", page=page, limit=2, owner_id=owner_id
        )
        await db.commit()
        return found

    assert await total() == listed
    assert await total(page=100) == listed  # past the end: the kept count alone
    # A count that says more than the rows shows it is the one the list reads.
    await db.execute(insert(row_counts).values(table_name="customers", slot=99, live=1000))
    await db.commit()
    try:
        assert await total() == listed + 1000
        assert await total(page=100) == listed + 1000
        assert await total(owner_id=owner.id) == 3  # scoped to an owner: counted
    finally:
        await db.execute(delete(row_counts).where(row_counts.c.slot == 99))
        await db.commit()


async def test_concurrent_creates_keep_an_exact_count(
    engine: AsyncEngine, db: AsyncConnection, make_user: MakeUser
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL only (SQLite has one writer at a time)")
    owner = await make_user()

    async def writer() -> None:
        async with engine.connect() as connection:
            for _ in range(5):
                await factories.create_customer(connection, owner)

    await asyncio.gather(*(writer() for _ in range(8)))
    await assert_exact(db)
    assert await kept(db, "customers") >= 40
