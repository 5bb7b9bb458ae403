"""The stats of an entity (``aggregates`` in the spec) as columns and measures."""

from __future__ import annotations

from typing import Literal, cast

from backend_agent.design.blueprint import Aggregates, Column, StatsKey, StatsMeasure
from backend_agent.spec.aggregates import group_keys, measures
from backend_agent.spec.model import EntitySpec

__all__ = ["aggregates"]

Period = Literal["day", "month", "year"]
Function = Literal["count", "sum", "avg", "min", "max"]


def aggregates(spec: EntitySpec, columns: list[Column]) -> Aggregates | None:
    """The entity's stats, its group keys and measures bound to ``columns``."""
    if spec.aggregates is None:
        return None
    by_name = {column.name: column for column in columns}

    def column_of(field: str) -> Column:
        return by_name[field] if field in by_name else by_name[f"{field}_id"]

    keys = []
    for key in group_keys(spec):
        column = column_of(key.field)
        keys.append(StatsKey(key.text, column.name, column.type, cast(Period | None, key.period)))
    found = []
    for measure in measures(spec):
        function = cast(Function, measure.function)
        if measure.field is None:
            found.append(StatsMeasure(measure.key, function))
            continue
        column = column_of(measure.field)
        found.append(StatsMeasure(measure.key, function, column.name, column.type, column.scale))
    return Aggregates(tuple(keys), tuple(found))
