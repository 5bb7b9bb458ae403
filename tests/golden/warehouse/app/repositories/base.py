"""Query helpers shared by the repositories: Core statements, row mappings out.

Repositories never load ORM objects: each function is one SQL statement whose rows
come back as plain dicts, ready for the JSON envelope.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Executable,
    ScalarSelect,
    Select,
    Table,
    bindparam,
    func,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.db import InlineConnection
from app.core.sqlite_writer import WriteConnection
from app.models.counts import row_counts

Row = dict[str, Any]
Filter = tuple[ColumnElement[Any], Callable[[Any, Any], ColumnElement[bool]]]

EQ = operator.eq
GE = operator.ge
LE = operator.le


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def unchanged_since(column: Column[Any], seen: datetime | None) -> list[ColumnElement[bool]]:
    """``updated_at = :seen`` when a write is conditional (If-Match): the compare-and-set.

    The write matches no row if another one landed after ``seen`` was read, even
    between the ETag check and this statement, so no update is ever lost.
    """
    return [] if seen is None else [column == seen]


def next_version(seen: datetime | None) -> datetime:
    """The new ``updated_at``: now, and always later than ``seen``, so versions differ."""
    now = utcnow()
    return now if seen is None or now > seen else seen + timedelta(microseconds=1)


def where_filters(available: Mapping[str, Filter], given: Mapping[str, Any]) -> list[Any]:
    """WHERE clauses for the filters a client sent (only declared ones reach this)."""
    clauses = []
    for name, value in given.items():
        column, compare = available[name]
        clauses.append(compare(column, value))
    return clauses


def order_by(columns: Mapping[str, Column[Any]], sort: str, tiebreak: Column[Any]) -> list[Any]:
    """ORDER BY for ``sort`` (``name`` or ``-name``), with a unique tiebreak so pages
    never overlap.

    NULLs sort last in both directions on every database. Only nullable columns say
    so explicitly: the clause would keep PostgreSQL from reading a descending order
    straight from the column's index.
    """
    column = columns[sort.removeprefix("-")]
    key = column.desc() if sort.startswith("-") else column.asc()
    if column.nullable:
        key = key.nulls_last()
    return [key, tiebreak.desc() if sort.startswith("-") else tiebreak.asc()]


TOTAL = "_total"


def live_count(table: Table) -> ScalarSelect[Any]:
    """The trigger-kept number of ``table``'s live rows (see ``app.models.counts``), as a
    scalar subquery: a page query carries it for the cost of reading at most 16 rows."""
    live = func.coalesce(func.sum(row_counts.c.live), 0)
    return select(live).where(row_counts.c.table_name == table.name).scalar_subquery()


async def fetch_page(
    db: AsyncConnection,
    statement: Select[Any],
    *,
    order: list[Any],
    page: int,
    limit: int,
    total: ScalarSelect[Any] | None = None,
) -> tuple[list[Row], int]:
    """One page of ``statement``'s rows and the total count, for a statement built for
    this call (through SQLAlchemy); lists read often build a :class:`Page` once."""
    shape = Page.of(statement, order, total, prebuilt=False)
    return await shape.fetch(db, page=page, limit=limit)


FILTER = "filter_"  # the bound parameter of filter ``name`` is ``filter_<name>``


def bound_filters(available: Mapping[str, Filter], names: Iterable[str]) -> list[Any]:
    """WHERE clauses for the filters ``names``, each value a bound parameter."""
    clauses = []
    for name in names:
        column, compare = available[name]
        clauses.append(compare(column, bindparam(FILTER + name)))
    return clauses


def filter_params(given: Mapping[str, Any]) -> dict[str, Any]:
    """The bound values of the filters a client sent (see :func:`bound_filters`)."""
    return {FILTER + name: value for name, value in given.items()}


@dataclass(frozen=True)
class Page:
    """A list query: the page (``LIMIT :limit OFFSET :offset``) and its total count, one
    query, at most two.

    The page query reads only ``limit`` rows, through the sort column's index. The
    total is a separate ``count(*)``, skipped when the first page is not full (then
    it is the page's length). A ``count(*) OVER ()`` column would save that query but
    makes the database read and sort every matching row for every page.
    With ``total`` (the kept count of an unfiltered list, ``live_count``), the page
    carries it on every row: one round trip, and no row is counted.

    A repository builds one per shape of a list (the filters given, the sort, the
    owner scope), once, with every value bound: building and compiling the statements
    cost more CPU than running them, and a prebuilt page reads as :func:`fetch_one`
    does, straight through the driver where it may.
    """

    rows: Select[Any]
    count: Select[Any]
    carried: bool = False  # each row carries the total, as TOTAL
    prebuilt: bool = True

    @classmethod
    def of(
        cls,
        statement: Select[Any],
        order: list[Any],
        total: ScalarSelect[Any] | None = None,
        *,
        prebuilt: bool = True,
    ) -> Page:
        """The page and count queries of ``statement`` in ``order``."""
        if total is not None:
            rows = statement.add_columns(total.label(TOTAL)).order_by(*order)
            paged = rows.limit(bindparam("limit")).offset(bindparam("offset"))
            return cls(paged, select(total), True, prebuilt)
        counted = statement.with_only_columns(func.count(), maintain_column_froms=True)
        paged = statement.order_by(*order).limit(bindparam("limit")).offset(bindparam("offset"))
        return cls(paged, counted, False, prebuilt)

    async def fetch(
        self,
        db: AsyncConnection,
        *,
        page: int,
        limit: int,
        params: Mapping[str, Any] | None = None,
    ) -> tuple[list[Row], int]:
        """Page ``page`` (from 1) of ``limit`` rows, and the total, with ``params`` bound."""
        offset = (page - 1) * limit
        params = params or {}
        paged = {**params, "limit": limit, "offset": offset}
        rows = await fetch_all(db, self.rows, paged, prebuilt=self.prebuilt)
        if self.carried:
            if not rows:  # past the end (or an empty list): nothing carried the total
                return rows, 0 if offset == 0 else int(await db.scalar(self.count) or 0)
            kept = rows[0][TOTAL]
            for row in rows:
                del row[TOTAL]
            return rows, int(kept)
        if offset == 0 and len(rows) < limit:
            return rows, len(rows)
        return rows, int(await db.scalar(self.count, dict(params)) or 0)


@dataclass(frozen=True)
class _Prepared:
    """A prebuilt statement compiled once: its SQL, the order of its parameters, and for
    SQLite the conversions SQLAlchemy applies to each parameter and result column."""

    sql: str
    names: tuple[str, ...]
    binds: tuple[Callable[[Any], Any] | None, ...]
    results: tuple[Callable[[Any], Any] | None, ...]
    fixed: Mapping[str, Any]  # the values the statement holds itself (literals)

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        """The values of ``params`` in the statement's order, converted for SQLite."""
        fixed = self.fixed
        values = [params[name] if name not in fixed else fixed[name] for name in self.names]
        if not self.binds:
            return values
        return [
            value if bind is None else bind(value)
            for value, bind in zip(values, self.binds, strict=True)
        ]

    def sqlite_rows(
        self, driver: sqlite3.Connection, params: Mapping[str, Any], *, first: bool = False
    ) -> list[Row]:
        cursor = driver.execute(self.sql, self.arguments(params))
        found = cursor.fetchmany(1) if first else cursor.fetchall()
        keys = [column[0] for column in cursor.description]
        return [
            {
                key: value if process is None else process(value)
                for key, value, process in zip(keys, row, self.results, strict=True)
            }
            for row in found
        ]


@lru_cache(maxsize=256)
def _prepared(statement: Select[Any], dialect: Dialect) -> _Prepared:
    compiled = statement.compile(dialect=dialect)
    names = tuple(getattr(compiled, "positiontup", None) or ())
    fixed = {
        name: compiled.binds[name].value for name in names if not compiled.binds[name].required
    }
    if dialect.name != "sqlite":
        return _Prepared(str(compiled), names, (), (), fixed)
    # Each type as the dialect implements it: the conversions SQLAlchemy itself applies.
    binds = [compiled.binds[name].type.dialect_impl(dialect) for name in names]
    results = [column.type.dialect_impl(dialect) for column in statement.selected_columns]
    return _Prepared(
        str(compiled),
        names,
        tuple(kind.bind_processor(dialect) for kind in binds),
        tuple(kind.result_processor(dialect, None) for kind in results),
        fixed,
    )


def raw_reader(db: AsyncConnection) -> Any | None:
    """The driver's connection under ``db`` when a read on it may skip SQLAlchemy, else
    ``None``: asyncpg's outside a transaction (autocommit, or none begun yet), sqlite3's
    under a read-only request's inline connection or, on a SQLite file, for a write
    request's reads before its first write; never while something listens for
    statements (tracing, a test counting queries).

    Under PostgreSQL's default isolation (read committed) every statement sees what was
    committed when it started, in a transaction or not, so a plain SELECT made before a
    request's first write gives what it would give inside the transaction.
    """
    if isinstance(db, WriteConnection):
        return db.raw_reads()
    connection = db.sync_connection
    if connection is None or connection.dispatch.before_cursor_execute:
        return None
    if isinstance(db, InlineConnection):
        return connection.connection.driver_connection
    if db.dialect.name != "postgresql":
        return None
    autocommit = connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    if not autocommit and connection.in_transaction():
        return None
    return connection.connection.driver_connection


async def fetch_one(
    db: AsyncConnection, statement: Executable, params: Mapping[str, Any] | None = None
) -> Row | None:
    """The first row of ``statement`` (with ``params``) as a dict, or ``None``.

    A prebuilt statement read outside a transaction on PostgreSQL (every read of a GET,
    see ``app.core.db.reads_in_autocommit``, and a write request's reads before its
    first write, such as the caller's session) goes straight to asyncpg on the pooled
    connection, its SQL compiled once; on a SQLite file, a GET's read goes straight to
    sqlite3 (``app.core.db.create_inline_read_engine``) with SQLAlchemy's own
    conversions of each parameter and column. SQLAlchemy's execution layer costs as
    much CPU as the query. (When something listens for statements, they all take
    SQLAlchemy's path, so the listener sees every one.) The values come back as
    SQLAlchemy gives them (tests/test_reads.py checks each read both ways): on
    PostgreSQL for the column types this service uses (UUID, text, numbers, booleans,
    dates, timestamptz, JSON: SQLAlchemy registers its JSON codecs on each asyncpg
    connection).
    """
    if (
        params is not None
        and isinstance(statement, Select)
        and (driver := raw_reader(db)) is not None
    ):
        prepared = _prepared(statement, db.dialect)
        if db.dialect.name == "sqlite":
            found = prepared.sqlite_rows(driver, params, first=True)
            return found[0] if found else None
        record = await driver.fetchrow(prepared.sql, *prepared.arguments(params))
        return dict(record) if record is not None else None
    row = (await db.execute(statement, params)).mappings().first()
    return dict(row) if row is not None else None


async def fetch_all(
    db: AsyncConnection, statement: Select[Any], params: Mapping[str, Any], *, prebuilt: bool = True
) -> list[Row]:
    """Every row of ``statement`` with ``params``; a ``prebuilt`` statement (one built
    once, not for this call) is read as :func:`fetch_one` reads one."""
    if prebuilt and (driver := raw_reader(db)) is not None:
        prepared = _prepared(statement, db.dialect)
        if db.dialect.name == "sqlite":
            return prepared.sqlite_rows(driver, params)
        records = await driver.fetch(prepared.sql, *prepared.arguments(params))
        return [dict(record) for record in records]
    return [dict(row) for row in (await db.execute(statement, params)).mappings()]


async def exists(db: AsyncConnection, statement: Select[Any]) -> bool:
    """Whether ``statement`` matches any row."""
    return bool(await db.scalar(select(statement.exists())))
