"""Stats: rows grouped by keys, and each group's count, sums, averages, least and greatest.

One ``SELECT ... GROUP BY`` over the rows a list would show the same caller (its filters
and scope, the repository's ``visible()``), so a stats answer never counts a row its
caller could not list. Dates and datetimes group by a period, written as text
(``2024-05`` for a month, in UTC); decimal sums are exact on both databases (SQLite sums
the values as whole numbers of their smallest step), and averages keep two places more
than the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, Select, cast, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

_FORMATS = {
    "sqlite": {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"},
    "postgresql": {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"},
}


@dataclass(frozen=True, slots=True)
class Key:
    """A key the stats may group by: a column, by a period for dates and datetimes."""

    column: ColumnElement[Any]
    period: str | None = None  # day, month or year
    moment: bool = False  # a datetime (grouped by its UTC calendar), not a date


@dataclass(frozen=True, slots=True)
class Measure:
    """What each group answers under ``name``: a count, or a function of a column."""

    name: str
    function: str  # count, sum, avg, min or max
    column: ColumnElement[Any] | None = None
    scale: int | None = None  # a decimal's places; None for other types


def _grouped(key: Key, dialect: str) -> ColumnElement[Any]:
    if key.period is None:
        return key.column
    pattern = _FORMATS[dialect][key.period]
    if dialect == "sqlite":
        return func.strftime(pattern, key.column)
    return func.to_char(func.timezone("UTC", key.column) if key.moment else key.column, pattern)


def _measured(measure: Measure, dialect: str) -> ColumnElement[Any]:
    if measure.column is None:
        raise ValueError(f"the measure {measure.name} names no column")
    if measure.function == "min":
        return func.min(measure.column)
    if measure.function == "max":
        return func.max(measure.column)
    if measure.scale is not None and dialect == "sqlite":
        # SQLite keeps decimals as floats: summed as whole numbers of their step, exact.
        return func.sum(cast(func.round(measure.column * 10**measure.scale), Integer))
    return func.sum(measure.column)  # an average is this sum over the count, exact


def statement(
    table_where: Sequence[ColumnElement[bool]],
    keys: Mapping[str, Key],
    measures: Sequence[Measure],
    dialect: str,
    source: Any,
) -> Select[Any]:
    """The stats query over ``source`` (a table) where ``table_where`` holds."""
    grouped = [_grouped(key, dialect).label(f"k{index}") for index, key in enumerate(keys.values())]
    columns: list[ColumnElement[Any]] = [func.count().label("count")]
    for index, measure in enumerate(measures):
        if measure.function != "count":
            columns.append(_measured(measure, dialect).label(f"m{index}"))
    query = select(*grouped, *columns).select_from(source).where(*table_where)
    if grouped:
        query = query.group_by(*grouped).order_by(*grouped)
    return query


def _value(measure: Measure, raw: Any, count: int, dialect: str) -> Any:
    if raw is None or measure.function in ("min", "max"):
        return raw
    total = Decimal(raw)
    if measure.scale is not None and dialect == "sqlite":
        total = total.scaleb(-measure.scale)
    places = Decimal(1).scaleb(-(measure.scale or 0))
    if measure.function == "sum":
        return int(total) if measure.scale is None else total.quantize(places)
    return (total / count).quantize(places / 100)


async def fetch(
    db: AsyncConnection,
    query: Select[Any],
    params: Mapping[str, Any],
    keys: Mapping[str, Key],
    measures: Sequence[Measure],
) -> list[dict[str, Any]]:
    """The stats rows: ``{"group": {key: value}, "count": n, <measure>: value, ...}``."""
    dialect = db.dialect.name
    rows = (await db.execute(query, dict(params))).all()
    answers = []
    for row in rows:
        values = row._mapping
        group = {name: values[f"k{index}"] for index, name in enumerate(keys)}
        count = int(values["count"])
        answer: dict[str, Any] = {"group": group, "count": count}
        for index, measure in enumerate(measures):
            if measure.function != "count":
                answer[measure.name] = _value(measure, values[f"m{index}"], count, dialect)
        answers.append(answer)
    return answers
