"""Requests take pooled connections first come, first served, and hand them straight on
to the next request waiting for one of the same engine (app.core.db.FairCheckout); on a
SQLite file, read-only requests keep a few inline connections open
(app.core.db.InlineConnections)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.core.db import FairCheckout, InlineConnections, create_engine, create_inline_read_engine
from tests.conftest import DATABASE_URL, make_settings

pytestmark = pytest.mark.anyio


def one_place(**overrides: Any) -> FairCheckout:
    return FairCheckout(make_settings(db_pool_size=1, db_max_overflow=0, **overrides))


@pytest.fixture
async def small(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """An engine of its own with a pool of one connection (after the app's migrations)."""
    own = create_engine(make_settings(db_pool_size=1, db_max_overflow=0))
    yield own
    await own.dispose()


async def test_requests_take_connections_in_the_order_they_asked(engine: AsyncEngine) -> None:
    checkout = one_place()
    order: list[str] = []

    async def take(name: str) -> None:
        async with checkout.connect(engine):
            order.append(name)
            await asyncio.sleep(0.005)

    async with checkout.connect(engine):
        waiting = [asyncio.create_task(take(name)) for name in "abcd"]
        await asyncio.sleep(0.05)
        assert order == []  # one place, taken: all four wait
    await asyncio.gather(*waiting)
    assert order == ["a", "b", "c", "d"]


async def test_a_request_waits_for_a_connection_no_longer_than_the_pool_timeout(
    engine: AsyncEngine,
) -> None:
    checkout = one_place(db_pool_timeout=0.05)
    async with checkout.connect(engine):
        with pytest.raises(PoolTimeout, match=r"no database connection within 0\.05 s"):
            async with checkout.connect(engine):
                pass
    async with checkout.connect(engine) as connection:  # the place was given back
        assert await connection.scalar(select(1)) == 1


async def read(checkout: FairCheckout, engine: AsyncEngine) -> AsyncConnection:
    """A read-only request: the connection it was given."""
    async with checkout.connect(engine) as connection:
        assert await connection.scalar(select(1)) == 1
        await asyncio.sleep(0.005)
        return connection


async def test_a_request_hands_its_connection_to_the_next_one_waiting(engine: AsyncEngine) -> None:
    checkout = one_place()
    given = await asyncio.gather(*(read(checkout, engine) for _ in range(3)))
    assert given[0] is given[1] is given[2]  # one checkout from the pool, handed on twice
    assert given[0].closed  # and returned once no one waited
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_request_waiting_for_another_engine_gets_a_connection_of_its_own(
    engine: AsyncEngine,
) -> None:
    checkout = one_place()
    other = engine.execution_options(logging_token="other")  # the same pool, another engine

    async def take() -> AsyncConnection:
        async with checkout.connect(other) as connection:
            return connection

    async with checkout.connect(engine) as first:
        waiting = asyncio.create_task(take())
        await asyncio.sleep(0.01)
    assert (await waiting) is not first
    assert first.closed


async def test_a_transaction_left_open_ends_before_the_connection_goes_on(
    engine: AsyncEngine,
) -> None:
    checkout = one_place()

    async def take() -> tuple[AsyncConnection, bool]:
        async with checkout.connect(engine) as connection:
            return connection, connection.in_transaction()

    async with checkout.connect(engine) as first:
        await first.execute(select(1))  # begins a transaction
        waiting = asyncio.create_task(take())
        await asyncio.sleep(0.01)
        assert first.in_transaction()
    assert await waiting == (first, False)


async def test_a_read_that_failed_or_was_held_long_goes_back_to_the_pool(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = one_place()
    given: list[AsyncConnection] = []

    async def fail() -> None:
        async with checkout.connect(engine) as failed:
            given.append(failed)
            waiting.append(asyncio.create_task(read(checkout, engine)))
            await asyncio.sleep(0.01)
            raise LookupError

    waiting: list[asyncio.Task[AsyncConnection]] = []
    with pytest.raises(LookupError):
        await fail()
    assert (await waiting[0]) is not given[0]
    monkeypatch.setattr(FairCheckout, "HOLD_SECONDS", 0.0)
    async with checkout.connect(engine) as held:
        later = asyncio.create_task(read(checkout, engine))
        await asyncio.sleep(0.01)
    assert (await later) is not held


@pytest.mark.skipif(
    not DATABASE_URL.startswith("postgresql"), reason="asyncpg tells a closed connection"
)
async def test_a_connection_whose_server_went_away_is_discarded(small: AsyncEngine) -> None:
    checkout = one_place()

    async def driver() -> Any:
        async with checkout.connect(small) as connection:
            return (await connection.get_raw_connection()).driver_connection

    async with checkout.connect(small) as connection:
        lost: Any = (await connection.get_raw_connection()).driver_connection
        waiting = asyncio.create_task(driver())
        await asyncio.sleep(0.01)
        await lost.close()  # as when the server ends the session
    handed = await waiting
    assert handed is not lost
    assert not handed.is_closed()
    assert await driver() is handed  # the pool of one holds the new connection only


async def test_a_request_cancelled_while_it_returns_its_connection_passes_its_place_on(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = one_place(db_pool_timeout=1)
    close = FairCheckout._close

    async def slow_close(self: FairCheckout, connection: AsyncConnection) -> None:
        await asyncio.sleep(0.05)
        await close(self, connection)

    monkeypatch.setattr(FairCheckout, "_close", slow_close)

    async def request() -> None:
        async with checkout.connect(engine):
            pass

    cancelled = asyncio.create_task(request())
    await asyncio.sleep(0.01)  # returning its connection
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    async with checkout.connect(engine) as connection:  # at once, not after the timeout
        assert await connection.scalar(select(1)) == 1
    await asyncio.sleep(0.1)
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]  # and it did go back


def test_inline_reads_keep_a_few_connections_open_between_requests(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/reads.db"
    engine = create_inline_read_engine(make_settings(database_url=url))
    assert engine is not None
    reads = InlineConnections(engine)
    with reads.connect() as first:
        first.execute(select(1))  # begins SQLAlchemy's transaction
    with reads.connect() as again:
        assert again is first
        assert not again.in_transaction()
    with ExitStack() as stack:
        opened = [stack.enter_context(reads.connect()) for _ in range(InlineConnections.KEEP + 2)]
    assert [c.closed for c in opened].count(False) == InlineConnections.KEEP
    with pytest.raises(LookupError), reads.connect() as failed:
        raise LookupError
    assert failed.closed
    engine.dispose()
    assert all(c.closed for c in opened)
