"""Reads straight through the database driver: the fast path's part in the database
(see app/fastpath/__init__.py).

SQLAlchemy's execution layer costs as much CPU as a read by key. A statement built
once (the repositories' prebuilt reads) is compiled here once, and its reads go to the
driver: asyncpg on a pooled connection outside a transaction, sqlite3 on a SQLite file
under a read-only request's inline connection or a write request's reads before its
first write. Values are converted as SQLAlchemy converts them (on SQLite each
parameter and column through its type's own processors; asyncpg decodes every type
this service uses itself), and ``tests/test_reads.py`` checks every read both ways.

Everything else reads through SQLAlchemy, and so does everything when the fast path is
off (``FAST_PATH=false``: the engines carry ``DIRECT_READS`` false) or while something
listens for statements (tracing, a test counting queries), so the listener sees every
statement.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.db import DIRECT_READS, InlineConnection
from app.core.sqlite_writer import WriteConnection
from app.core.statements import counted

__all__ = ["Prepared", "prepared", "reader", "rows"]

Row = dict[str, Any]


@dataclass(frozen=True)
class Prepared:
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
def prepared(statement: Select[Any], dialect: Dialect) -> Prepared:
    """``statement`` compiled for ``dialect``, once."""
    compiled = statement.compile(dialect=dialect)
    names = tuple(getattr(compiled, "positiontup", None) or ())
    fixed = {
        name: compiled.binds[name].value for name in names if not compiled.binds[name].required
    }
    if dialect.name != "sqlite":
        return Prepared(str(compiled), names, (), (), fixed)
    # Each type as the dialect implements it: the conversions SQLAlchemy itself applies.
    binds = [compiled.binds[name].type.dialect_impl(dialect) for name in names]
    results = [column.type.dialect_impl(dialect) for column in statement.selected_columns]
    return Prepared(
        str(compiled),
        names,
        tuple(kind.bind_processor(dialect) for kind in binds),
        tuple(kind.result_processor(dialect, None) for kind in results),
        fixed,
    )


def reader(db: AsyncConnection) -> Any | None:
    """The driver's connection under ``db`` when a read on it may skip SQLAlchemy, else
    ``None``: asyncpg's outside a transaction (autocommit, or none begun yet), sqlite3's
    under a read-only request's inline connection or, on a SQLite file, for a write
    request's reads before its first write; never with the fast path off, nor while
    something listens for statements.

    Under PostgreSQL's default isolation (read committed) every statement sees what was
    committed when it started, in a transaction or not, so a plain SELECT made before a
    request's first write gives what it would give inside the transaction.
    """
    if isinstance(db, WriteConnection):
        return db.raw_reads()
    connection = db.sync_connection
    if connection is None or connection.dispatch.before_cursor_execute:
        return None
    options = connection.get_execution_options()
    if not options.get(DIRECT_READS):
        return None
    if isinstance(db, InlineConnection):
        return connection.connection.driver_connection
    if db.dialect.name != "postgresql":
        return None
    if options.get("isolation_level") != "AUTOCOMMIT" and connection.in_transaction():
        return None
    return connection.connection.driver_connection


async def rows(
    driver: Any,
    dialect: Dialect,
    statement: Select[Any],
    params: Mapping[str, Any],
    *,
    first: bool = False,
) -> list[Row]:
    """The rows of ``statement`` with ``params`` (the first only, with ``first``), read
    through ``driver`` (from :func:`reader`). It counts as a statement of the request
    (``app.core.statements``), as one sent through SQLAlchemy does."""
    compiled = prepared(statement, dialect)
    counted()
    if dialect.name == "sqlite":
        return compiled.sqlite_rows(driver, params, first=first)
    if first:
        record = await driver.fetchrow(compiled.sql, *compiled.arguments(params))
        return [dict(record)] if record is not None else []
    return [
        dict(record) for record in await driver.fetch(compiled.sql, *compiled.arguments(params))
    ]
