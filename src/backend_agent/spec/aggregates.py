"""Aggregates: the keys a stats request may group by and the measures it answers.

``aggregates: {group_by: [status, customer, created_at:month], measures: [count,
sum:total, avg:total]}`` adds ``GET /api/v1/<plural>/stats``. A group key is a field, a
belongs_to relation (its id) or a timestamp (``created_at``, ``updated_at``); a date or
datetime groups by a period (``:day``, ``:month``, ``:year``; a datetime needs one). A
measure is ``count``, or ``sum``/``avg``/``min``/``max`` of a number field, or ``min``
/``max`` of a date or datetime. Text, JSON and decimal fields are not group keys (no
two values are alike, or equality is not what a reader means).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from backend_agent.errors import Problem
from backend_agent.spec.checks import did_you_mean
from backend_agent.spec.model import EntitySpec, ServiceSpec
from backend_agent.spec.source import Path, SourceMap

__all__ = ["PERIODS", "GroupKey", "Measure", "check_aggregates", "group_keys", "measures"]

PERIODS = ("day", "month", "year")
TIMESTAMPS = ("created_at", "updated_at")
_GROUPABLE = frozenset({"string", "email", "url", "integer", "enum", "boolean", "date", "uuid"})
_NUMBERS = frozenset({"integer", "decimal"})
_ORDERED = _NUMBERS | {"date", "datetime"}
_FUNCTIONS = ("sum", "avg", "min", "max")


@dataclass(frozen=True)
class GroupKey:
    """``created_at:month``: a field (or relation, or timestamp) and its period, if any."""

    text: str
    field: str
    period: str | None = None


@dataclass(frozen=True)
class Measure:
    """``sum:total``: a function and its field; ``count`` has none."""

    text: str
    function: str
    field: str | None = None

    @property
    def key(self) -> str:
        """Its name in a response: ``count``, ``sum_total``."""
        return self.function if self.field is None else f"{self.function}_{self.field}"


def group_keys(entity: EntitySpec) -> tuple[GroupKey, ...]:
    """The entity's group keys, as the spec writes them."""
    if entity.aggregates is None:
        return ()
    keys = []
    for text in entity.aggregates.group_by:
        field, _, period = text.partition(":")
        keys.append(GroupKey(text, field.strip(), period.strip() or None))
    return tuple(keys)


def measures(entity: EntitySpec) -> tuple[Measure, ...]:
    """The entity's measures, as the spec writes them."""
    if entity.aggregates is None:
        return ()
    found = []
    for text in entity.aggregates.measures:
        function, _, field = text.partition(":")
        found.append(Measure(text, function.strip(), field.strip() or None))
    return tuple(found)


def check_aggregates(spec: ServiceSpec, source: SourceMap) -> list[Problem]:
    """A problem for each group key or measure the stats of an entity cannot serve."""
    problems: list[Problem] = []
    for name, entity in spec.entities.items():
        if entity.aggregates is not None:
            problems.extend(_check_keys(name, entity, source))
            problems.extend(_check_measures(name, entity, source))
    return problems


def _kind(entity: EntitySpec, field: str) -> str | None:
    """The type of a group key's or measure's field; ``uuid`` for a relation's id."""
    if field in TIMESTAMPS:
        return "datetime"
    if field in entity.fields:
        return entity.fields[field].type
    relation = entity.relations.get(field)
    if relation is not None and relation.belongs_to:
        return "uuid"
    return None


def _check_keys(name: str, entity: EntitySpec, source: SourceMap) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, key in enumerate(group_keys(entity)):
        path: Path = ("entities", name, "aggregates", "group_by", index)
        kind = _kind(entity, key.field)
        known = [
            *entity.fields,
            *TIMESTAMPS,
            *(r for r, v in entity.relations.items() if v.belongs_to),
        ]
        if kind is None:
            yield source.problem(
                path,
                f"group_by names '{key.field}', which is not a field, belongs_to relation or "
                f"timestamp of '{name}'",
                suggestion=did_you_mean(key.field, known),
            )
        elif key.period is not None and key.period not in PERIODS:
            yield source.problem(
                path,
                f"'{key.period}' is not a period",
                expected="day, month or year",
                suggestion=did_you_mean(key.period, list(PERIODS)),
            )
        elif key.period is not None and kind not in ("date", "datetime"):
            yield source.problem(
                path,
                f"'{key.field}' is {_a(kind)} field: only dates and datetimes group by a period",
            )
        elif key.period is None and kind == "datetime":
            yield source.problem(
                path,
                f"'{key.field}' is a datetime: group it by a period",
                suggestion=f"{key.field}:day, {key.field}:month or {key.field}:year",
            )
        elif key.period is None and kind not in _GROUPABLE:
            yield source.problem(
                path,
                f"'{key.field}' is a {kind} field: rows group by enums, booleans, "
                "strings, integers, dates, ids and relations",
            )
        elif key.text in seen:
            yield source.problem(path, f"group key '{key.text}' is listed twice")
        seen.add(key.text)


def _check_measures(name: str, entity: EntitySpec, source: SourceMap) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, measure in enumerate(measures(entity)):
        path: Path = ("entities", name, "aggregates", "measures", index)
        if measure.function == "count" and measure.field is None:
            pass
        elif measure.function not in _FUNCTIONS or measure.field is None:
            yield source.problem(
                path,
                f"'{measure.text}' is not a measure",
                expected="count, or sum, avg, min or max of a field: 'sum:total'",
            )
            continue
        else:
            kind = _kind(entity, measure.field)
            allowed = _NUMBERS if measure.function in ("sum", "avg") else _ORDERED
            if kind is None:
                yield source.problem(
                    path,
                    f"measure '{measure.text}' names '{measure.field}', which is not a field "
                    f"of '{name}'",
                    suggestion=did_you_mean(measure.field, list(entity.fields)),
                )
                continue
            if kind not in allowed:
                what = (
                    "numbers"
                    if measure.function in ("sum", "avg")
                    else "numbers, dates and datetimes"
                )
                yield source.problem(
                    path, f"'{measure.field}' is {_a(kind)} field: {measure.function} takes {what}"
                )
                continue
        if measure.key in seen:
            yield source.problem(path, f"measure '{measure.text}' is listed twice")
        seen.add(measure.key)


def _a(kind: str) -> str:
    return ("an " if kind[:1] in "aeiou" else "a ") + kind
