"""Single-row reads of read-only requests: the fast path gives what SQLAlchemy gives.

On PostgreSQL, a prebuilt statement read in autocommit goes straight to asyncpg
(``app.repositories.base.fetch_one``); with a statement listener attached, the same read
goes through SQLAlchemy. Both must return the same values, of the same types. On SQLite
there is no such path, and the reads must say so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.repositories import author as author_repo
from app.repositories import book as book_repo
from app.repositories import loan as loan_repo
from app.repositories import user as user_repo
from app.repositories.base import Row, raw_reader, utcnow
from tests import factories
from tests.factories import Account

pytestmark = pytest.mark.anyio

Create = Callable[..., Awaitable[Row]]
Get = Callable[..., Awaitable[Row | None]]
READS: dict[str, tuple[Create, Get]] = {
    "author": (factories.create_author, author_repo.get_author),
    "book": (factories.create_book, book_repo.get_book),
    "loan": (factories.create_loan, loan_repo.get_loan),
}


@contextmanager
def through_sqlalchemy(engine: AsyncEngine) -> Iterator[None]:
    """Attach a statement listener: reads then take SQLAlchemy's path."""

    def listen(*_args: Any) -> None:
        return None

    event.listen(engine.sync_engine, "before_cursor_execute", listen)
    try:
        yield
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listen)


async def both_ways(app: FastAPI, read: Callable[[AsyncConnection], Awaitable[Row | None]]) -> Row:
    """The row read on the fast path and through SQLAlchemy, checked equal value and type."""
    reader = app.state.read_requests_engine
    postgresql = not app.state.settings.is_sqlite
    async with reader.connect() as connection:
        assert (raw_reader(connection) is not None) == postgresql
        fast = await read(connection)
    with through_sqlalchemy(app.state.engine):
        async with reader.connect() as connection:
            assert raw_reader(connection) is None
            slow = await read(connection)
    assert fast is not None
    assert slow is not None
    assert fast == slow
    for key, value in slow.items():
        assert isinstance(fast[key], type(value)), key
    return fast


@pytest.mark.parametrize("name", sorted(READS))
async def test_a_fast_read_gives_what_sqlalchemy_gives(
    app: FastAPI, db: AsyncConnection, make_user: Callable[..., Awaitable[Account]], name: str
) -> None:
    create, get = READS[name]
    row = await create(db, await make_user())
    read = await both_ways(app, lambda connection: get(connection, row["id"]))
    assert read["id"] == row["id"]


async def test_the_session_lookup_reads_the_same_either_way(
    app: FastAPI, make_user: Callable[..., Awaitable[Account]]
) -> None:
    account = await make_user()
    read = await both_ways(
        app,
        lambda connection: user_repo.get_session_user(
            connection, session_id=account.session_id, user_id=account.id, now=utcnow()
        ),
    )
    assert (read["id"], read["email"]) == (account.id, account.email)


async def test_a_write_request_reads_directly_only_before_its_transaction(app: FastAPI) -> None:
    postgresql = not app.state.settings.is_sqlite
    async with app.state.engine.connect() as connection:
        assert (raw_reader(connection) is not None) == postgresql
        await connection.execute(select(1))  # begins the transaction
        assert raw_reader(connection) is None
        await connection.rollback()
        assert (raw_reader(connection) is not None) == postgresql
