"""The first rows of each of many parents, in one statement.

A GraphQL query that asks for the comments of a page of posts reads them for the whole
page at once (app/api/graphql.py): the rows of every parent, each parent's cut to its
first ``limit`` in the list's order, by a window function (``row_number() OVER
(PARTITION BY <parent> ORDER BY ...)``, SQLite 3.25 and PostgreSQL alike). The number of
statements is one per nested list, whatever the number of parents; the number of rows
read is at most ``limit`` per parent.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.repositories.base import Row, fetch_all

__all__ = ["Grouped"]

PARENT = "_parent"  # the column that says whose row it is
RANK = "_rank"  # its place among its parent's rows


@dataclass(frozen=True, slots=True)
class Grouped:
    """The statement reading the first rows of each parent of a list of parents."""

    rows: Select[Any]

    @classmethod
    def of(cls, statement: Select[Any], order: list[Any], parent: ColumnElement[Any]) -> Grouped:
        """The rows of ``statement`` (its WHERE holds the list's rules) grouped by
        ``parent`` (a column of a table it reads), each group in ``order``."""
        names = [column.name for column in statement.selected_columns]
        rank = func.row_number().over(partition_by=parent, order_by=order)
        numbered = (
            statement.add_columns(parent.label(PARENT), rank.label(RANK))
            .where(parent.in_(bindparam("parents", expanding=True)))
            .subquery()
        )
        # Labelled: a subquery's columns would key the rows by SQLAlchemy's own strings.
        rows = (
            select(*(numbered.c[name].label(name) for name in names), numbered.c[PARENT])
            .where(numbered.c[RANK] <= bindparam("limit"))
            .order_by(numbered.c[PARENT], numbered.c[RANK])
        )
        return cls(rows)

    async def fetch(
        self,
        db: AsyncConnection,
        parents: Sequence[uuid.UUID],
        *,
        limit: int,
        params: Mapping[str, Any] | None = None,
    ) -> dict[uuid.UUID, list[Row]]:
        """Up to ``limit`` rows of each of ``parents``, in order (an empty list for a
        parent with none), with ``params`` bound."""
        found: dict[uuid.UUID, list[Row]] = {parent: [] for parent in parents}
        if not found:
            return found
        bound = {**(params or {}), "parents": list(found), "limit": limit}
        for row in await fetch_all(db, self.rows, bound, prebuilt=False):
            found[row.pop(PARENT)].append(row)
        return found
