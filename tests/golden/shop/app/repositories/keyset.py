"""Keyset pages: the lists of an entity with ``pagination: cursor``.

A page is the first ``limit`` rows after a position (the sort key and id of the last row
of the page before, from its cursor: app/core/cursors.py) in the list's order, which
always ends with the id, so the order is total. ``WHERE`` picks the rows after it and
the sort column's index finds them, so every page costs what the first does, and rows
added or removed meanwhile shift nothing: a row present all along is seen once.

NULLs sort last both ways (as ``order_by`` puts them), so after a row whose key is a
value come the greater (or, descending, smaller) values, the equal ones with a later id,
then the NULLs; after a row whose key is NULL, the NULLs with a later id. Each of those
is its own statement, built once per shape of the list like a numbered page.

A page reads one row more than it answers: whether it is there says whether a next
page is, and no row is counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Select, and_, bindparam, or_
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.cursors import Position
from app.repositories.base import Row, fetch_all, order_by

__all__ = ["KEY", "Keyset"]

KEY = "_key"  # the sort key each row is read with, taken off before it is answered


def _after(
    key: ColumnElement[Any], tiebreak: Column[Any], *, descending: bool, null: bool
) -> ColumnElement[bool]:
    """The rows after the position bound as ``after_key`` and ``after_id``."""
    row_id = bindparam("after_id", type_=tiebreak.type)
    later = tiebreak < row_id if descending else tiebreak > row_id
    if null:
        return and_(key.is_(None), later)
    value = bindparam("after_key", type_=key.type)
    beyond = key < value if descending else key > value
    clauses = [beyond, and_(key == value, later)]
    if isinstance(key, Column) and key.nullable:
        clauses.append(key.is_(None))
    return or_(*clauses)


@dataclass(frozen=True)
class Keyset:
    """The statements of one shape of a list paged by keyset: the first page, a page
    after a row with a key, and one after a row whose key is NULL."""

    first: Select[Any]
    after_value: Select[Any]
    after_null: Select[Any]
    prebuilt: bool = True

    @classmethod
    def of(
        cls,
        statement: Select[Any],
        sorts: Mapping[str, ColumnElement[Any]],
        sort: str,
        tiebreak: Column[Any],
        *,
        prebuilt: bool = True,
    ) -> Keyset:
        """The pages of ``statement`` sorted by ``sort`` (a key of ``sorts``, ``-`` for
        descending), then by ``tiebreak`` (the id)."""
        key = sorts[sort.removeprefix("-")]
        descending = sort.startswith("-")
        rows = statement.add_columns(key.label(KEY))
        order = order_by(sorts, sort, tiebreak)

        def page(*where: ColumnElement[bool]) -> Select[Any]:
            return rows.where(*where).order_by(*order).limit(bindparam("limit"))

        return cls(
            page(),
            page(_after(key, tiebreak, descending=descending, null=False)),
            page(_after(key, tiebreak, descending=descending, null=True)),
            prebuilt,
        )

    async def fetch(
        self,
        db: AsyncConnection,
        *,
        limit: int,
        after: Position | None,
        params: Mapping[str, Any] | None = None,
    ) -> tuple[list[Row], Position | None]:
        """Up to ``limit`` rows after ``after`` (from the start without one), and the
        position of the last of them when more rows follow (``None`` on the last page)."""
        bound = {**(params or {}), "limit": limit + 1}
        if after is None:
            statement = self.first
        else:
            key, row_id = after
            statement = self.after_null if key is None else self.after_value
            bound.update(after_key=key, after_id=row_id)
        rows = await fetch_all(db, statement, bound, prebuilt=self.prebuilt)
        more = len(rows) > limit
        del rows[limit:]
        last = (rows[-1][KEY], rows[-1]["id"]) if more else None
        for row in rows:
            del row[KEY]
        return rows, last
