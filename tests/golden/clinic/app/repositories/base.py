"""Query helpers shared by the repositories: Core statements, row mappings out.

Repositories never load ORM objects: each function is one SQL statement whose rows
come back as plain dicts, ready for the JSON envelope.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
from sqlalchemy.ext.asyncio import AsyncConnection

from app.fastpath import reads as direct
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


def order_by(
    columns: Mapping[str, ColumnElement[Any]], sort: str, tiebreak: Column[Any]
) -> list[Any]:
    """ORDER BY for ``sort`` (``name`` or ``-name``), with a unique tiebreak so pages
    never overlap.

    NULLs sort last in both directions on every database. Only nullable columns say
    so explicitly: the clause would keep PostgreSQL from reading a descending order
    straight from the column's index.
    """
    column = columns[sort.removeprefix("-")]
    key = column.desc() if sort.startswith("-") else column.asc()
    if isinstance(column, Column) and column.nullable:
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
    params: Mapping[str, Any] | None = None,
) -> tuple[list[Row], int]:
    """One page of ``statement``'s rows (with ``params`` bound) and the total count, for a
    statement built for this call (through SQLAlchemy); lists read often build a
    :class:`Page` once."""
    shape = Page.of(statement, order, total, prebuilt=False)
    return await shape.fetch(db, page=page, limit=limit, params=params)


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


async def fetch_one(
    db: AsyncConnection, statement: Executable, params: Mapping[str, Any] | None = None
) -> Row | None:
    """The first row of ``statement`` (with ``params``) as a dict, or ``None``.

    A prebuilt statement read outside a transaction on PostgreSQL (every read of a GET,
    see ``app.core.db.reads_in_autocommit``, and a write request's reads before its
    first write, such as the caller's session) goes straight to asyncpg on the pooled
    connection, its SQL compiled once; on a SQLite file, a GET's read goes straight to
    sqlite3 (``app.core.db.create_inline_read_engine``). That is the fast path's part in
    the database (``app.fastpath.reads``, off with ``FAST_PATH=false``); every other read
    is SQLAlchemy's, and gives the same values (tests/test_reads.py).
    """
    if (
        params is not None
        and isinstance(statement, Select)
        and (driver := direct.reader(db)) is not None
    ):
        found = await direct.rows(driver, db.dialect, statement, params, first=True)
        return found[0] if found else None
    row = (await db.execute(statement, params)).mappings().first()
    return dict(row) if row is not None else None


async def fetch_all(
    db: AsyncConnection, statement: Select[Any], params: Mapping[str, Any], *, prebuilt: bool = True
) -> list[Row]:
    """Every row of ``statement`` with ``params``; a ``prebuilt`` statement (one built
    once, not for this call) is read as :func:`fetch_one` reads one."""
    if prebuilt and (driver := direct.reader(db)) is not None:
        return await direct.rows(driver, db.dialect, statement, params)
    return [dict(row) for row in (await db.execute(statement, params)).mappings()]


async def exists(db: AsyncConnection, statement: Select[Any]) -> bool:
    """Whether ``statement`` matches any row."""
    return bool(await db.scalar(select(statement.exists())))
