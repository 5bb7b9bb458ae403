"""Reads of read-only requests: the fast path gives what SQLAlchemy gives.

On PostgreSQL, a prebuilt statement read in autocommit goes straight to asyncpg
(``app.fastpath.reads``); on a SQLite file, a read-only request's read goes straight to
sqlite3 through its inline connection. With a statement listener attached, or with the
fast path off, the same read goes through SQLAlchemy. Both must return the same values,
of the same types.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager, nullcontext
from typing import Any, cast

import pytest
from fastapi import FastAPI
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.db import InlineConnection
from app.core.pagination import QueryParams
from app.fastpath.reads import reader as raw_reader
from app.main import create_app
from app.repositories import appointment as appointment_repo
from app.repositories import doctor as doctor_repo
from app.repositories import invoice as invoice_repo
from app.repositories import patient as patient_repo
from app.repositories import user as user_repo
from app.repositories.base import Row, utcnow
from app.schemas import appointment as appointment_schemas
from app.schemas import doctor as doctor_schemas
from app.schemas import invoice as invoice_schemas
from app.schemas import patient as patient_schemas
from tests import factories
from tests.conftest import make_settings
from tests.factories import Account

pytestmark = pytest.mark.anyio

Create = Callable[..., Awaitable[Row]]
Get = Callable[..., Awaitable[Row | None]]
READS: dict[str, tuple[Create, Get]] = {
    "doctor": (factories.create_doctor, doctor_repo.get_doctor),
    "patient": (factories.create_patient, patient_repo.get_patient),
    "appointment": (factories.create_appointment, appointment_repo.get_appointment),
    "invoice": (factories.create_invoice, invoice_repo.get_invoice),
}

# A page of rows and its total, or (paged by cursor) the position after them.
ListRows = Callable[..., Awaitable[tuple[list[Row], Any]]]
# Each entity with a list: the factory of its rows, the list's query, its query model.
LISTS: dict[str, tuple[Create, ListRows, type[QueryParams]]] = {
    "doctor": (factories.create_doctor, doctor_repo.list_doctors, doctor_schemas.DoctorQuery),
    "patient": (factories.create_patient, patient_repo.list_patients, patient_schemas.PatientQuery),
    "appointment": (
        factories.create_appointment,
        appointment_repo.list_appointments,
        appointment_schemas.AppointmentQuery,
    ),
    "invoice": (factories.create_invoice, invoice_repo.list_invoices, invoice_schemas.InvoiceQuery),
}


@contextmanager
def through_sqlalchemy(app: FastAPI) -> Iterator[None]:
    """Attach a statement listener to every engine of ``app``: reads then take
    SQLAlchemy's path."""

    def listen(*_args: Any) -> None:
        return None

    state = app.state
    candidates = (state.engine.sync_engine, state.read_engine.sync_engine, state.inline_read_engine)
    engines = list({id(engine): engine for engine in candidates if engine is not None}.values())
    for engine in engines:
        event.listen(engine, "before_cursor_execute", listen)
    try:
        yield
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", listen)


def read_connection(app: FastAPI) -> AbstractAsyncContextManager[AsyncConnection]:
    """A connection as a GET request gets it (app.api.deps.connect)."""

    @asynccontextmanager
    async def inline() -> AsyncIterator[AsyncConnection]:
        with app.state.inline_read_engine.connect() as connection:
            yield cast(AsyncConnection, InlineConnection(connection))

    if app.state.inline_read_engine is not None:
        return inline()
    return cast(
        AbstractAsyncContextManager[AsyncConnection], app.state.read_requests_engine.connect()
    )


async def both_ways(app: FastAPI, read: Callable[[AsyncConnection], Awaitable[Row | None]]) -> Row:
    """The row read on the fast path and through SQLAlchemy, checked equal value and type."""
    async with read_connection(app) as connection:
        assert raw_reader(connection) is not None
        fast = await read(connection)
    with through_sqlalchemy(app):
        async with read_connection(app) as connection:
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


async def test_with_the_fast_path_off_every_read_goes_through_sqlalchemy(app: FastAPI) -> None:
    plain = create_app(make_settings(fast_path=False))
    try:
        async with read_connection(plain) as connection:
            assert raw_reader(connection) is None
        async with plain.state.engine.connect() as connection:
            assert raw_reader(connection) is None
        if plain.state.sqlite_writer is not None:
            assert plain.state.sqlite_writer.raw_reads() is None
    finally:
        await plain.state.engine.dispose()
        if plain.state.inline_read_engine is not None:
            plain.state.inline_read_engine.dispose()
        if plain.state.sqlite_writer is not None:
            plain.state.sqlite_writer.engine.dispose()


@pytest.mark.parametrize("name", sorted(LISTS))
async def test_a_fast_page_gives_what_sqlalchemy_gives(
    app: FastAPI, db: AsyncConnection, make_user: Callable[..., Awaitable[Account]], name: str
) -> None:
    create, list_rows, model = LISTS[name]
    account = await make_user()
    for _ in range(3):
        await create(db, account)
    query: Any = model()  # the default sort, no filter
    pages = []
    for sqlalchemy in (False, True):
        with through_sqlalchemy(app) if sqlalchemy else nullcontext():
            async with read_connection(app) as connection:
                assert (raw_reader(connection) is None) == sqlalchemy
                filters, sort = query.filters(), query.sort
                _, after = await list_rows(
                    connection, filters=filters, sort=sort, limit=2, **query.paging()
                )
                numbered = "page" in query.paging()  # else paged by cursor
                second = {"page": 2} if numbered else {"after": after}
                pages.append(
                    await list_rows(connection, filters=filters, sort=sort, limit=2, **second)
                )
    (fast, fast_total), (slow, slow_total) = pages
    assert fast  # the second page of at least three rows
    assert (fast, fast_total) == (slow, slow_total)
    if numbered:
        assert fast_total >= 3
    for fast_row, slow_row in zip(fast, slow, strict=True):
        for key, value in slow_row.items():
            assert isinstance(fast_row[key], type(value)), key
