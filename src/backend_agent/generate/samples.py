"""Sample values for the generated tests: valid request bodies and rows for factories.

Two kinds of values are needed. *Body* values go through the API, so they satisfy
every constraint of the field (length, range, pattern). *Row* values are written
straight to the database by the test factories: they only need to fit the columns,
but the ``n``-th row must sort after the one before, so paging, sorting and filtering
tests know the expected order in advance.
"""

from __future__ import annotations

import re

# The standard library's own regular-expression parser: private, but stable for decades
# and the only parser that reads patterns exactly as ``re`` does.
import re._parser as sre  # type: ignore[import-not-found]
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from backend_agent.design.blueprint import Column, EntityField
from backend_agent.design.metadata import INTEGER_RANGE, decimal_bounds
from backend_agent.generate.pyexpr import py

__all__ = [
    "FACTORY_SAMPLES",
    "DecimalRows",
    "body_value",
    "decimal_rows",
    "increasing",
    "invalid_json",
    "number_range",
    "row_value",
    "value_source",
]

_BASE_DATE = date(2024, 1, 1)
_BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)


def _sample_of(pattern: str, *, grow: int = 0) -> str:
    """A string the (simple) pattern matches: the shortest, or with every repetition
    taken ``grow`` more times than its least (as far as its most allows)."""
    return "".join(_emit(sre.parse(pattern), grow))


def _emit(items: object, grow: int = 0) -> list[str]:
    out: list[str] = []
    for op, arg in items:  # type: ignore[attr-defined]
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "IN":
            out.append(_first_of_class(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            out.extend(_emit(sub, grow) * min(low + grow, high))
        elif name == "SUBPATTERN":
            out.extend(_emit(arg[-1], grow))
        elif name == "BRANCH":
            out.extend(_emit(arg[1][0], grow))
        elif name == "ANY":
            out.append("a")
        elif name == "CATEGORY":
            out.append(_category(str(arg)))
        elif name != "AT":
            raise ValueError(f"unsupported regular expression construct {name}")
    return out


def _category(name: str) -> str:
    return {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}.get(name, "a")


def _first_of_class(items: list[tuple[object, object]]) -> str:
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            return "a"
        if name == "LITERAL":
            return chr(arg)  # type: ignore[arg-type]
        if name == "RANGE":
            return chr(arg[0])  # type: ignore[index]
        if name == "CATEGORY":
            return _category(str(arg))
    return "a"


def _fit(text: str, column: Column) -> str:
    if column.max_length is not None:
        text = text[: column.max_length]
    if column.min_length is not None and len(text) < column.min_length:
        text = text + "x" * (column.min_length - len(text))
    return text


def _valid(column: Column, value: str) -> bool:
    if column.max_length is not None and len(value) > column.max_length:
        return False
    if column.min_length is not None and len(value) < column.min_length:
        return False
    return column.pattern is None or re.search(column.pattern, value) is not None


def body_value(field: EntityField) -> object:
    """A JSON value that the API accepts for ``field``."""
    column = field.column
    kind = column.type
    example = field.example
    if kind in ("string", "text") and isinstance(example, str) and _valid(column, example):
        return example
    if kind in ("string", "text"):
        if column.pattern:
            # The shortest match, lengthened while min_length asks for more.
            sample = _sample_of(column.pattern)
            for grow in range(1, (column.min_length or 0) + 1):
                if _valid(column, sample):
                    break
                sample = _sample_of(column.pattern, grow=grow)
            if not _valid(column, sample):
                raise ValueError(
                    f"no sample value for {field.name}: give it an example that matches "
                    f"{column.pattern!r}"
                )
            return sample
        return _fit(f"Sample {field.name.replace('_', ' ')}", column)
    return row_value(field, 0, json=True)


def row_value(field: EntityField, n: int, *, json: bool = False) -> object:
    """The value of ``field`` in the ``n``-th factory row (0-based), increasing with n."""
    column = field.column
    kind = column.type
    if kind == "enum":
        return column.enum_values[n % len(column.enum_values)]
    if kind == "boolean":
        return n % 2 == 0 if column.default is None else (n % 2 == 0) == bool(column.default)
    if kind in ("integer", "decimal"):
        low, high = number_range(column)
        if kind == "integer":
            # Wrap around inside the allowed range; the first rows still increase when
            # it holds at least three values (see ``increasing``).
            return low + n % (high - low + 1)
        rows = decimal_rows(column)
        value = (rows.first + n % rows.count * rows.step).quantize(
            Decimal(1).scaleb(-(column.scale or 0))
        )
        return str(value) if json else value
    if kind == "date":
        value_date = _BASE_DATE + timedelta(days=n)
        return value_date.isoformat() if json else value_date
    if kind == "datetime":
        value_time = _BASE_TIME + timedelta(hours=n)
        return value_time.isoformat() if json else value_time
    if kind == "uuid":
        value_uuid = uuid.UUID(f"00000000-0000-4000-8000-{n + 1:012d}")
        return str(value_uuid) if json else value_uuid
    if kind == "json":
        return {"n": n + 1}
    if kind in ("email", "url"):
        # The short form where the column is narrow (the loader leaves room for it).
        forms = SHORT_FORMS[kind]
        text = forms[0].format(n + 1)
        if column.max_length is not None and len(text) > column.max_length:
            text = forms[1].format(n + 1)
        return _fit(text, column)  # lengthened at the end while min_length asks for more
    name, number = f"{field.name.replace('_', ' ').capitalize()} ", f"{n + 1:04d}"
    if column.max_length is not None and len(name) + len(number) > column.max_length:
        # Shorten the name, never the number: short unique columns stay unique.
        keep = column.max_length - len(number)
        name, number = name[: max(keep, 0)], number[-column.max_length :]
    return _fit(name + number, column)


# Row values of e-mail and URL fields: the usual form, and the short one for narrow
# columns (email and url fields have room for at least the short one, see the loader).
SHORT_FORMS = {
    "email": ("user{:04d}@example.com", "u{:04d}@e.co"),
    "url": ("https://example.com/{:04d}", "https://e.co/{:04d}"),
}

# The rows the factories can make without repeating a unique value.
FACTORY_SAMPLES = 6


@dataclass(frozen=True)
class DecimalRows:
    """The factory values of a decimal column: ``first + k * step`` for ``k < count``."""

    first: Decimal
    step: Decimal
    count: int


def decimal_rows(column: Column) -> DecimalRows:
    """Whole numbers where the column's range holds enough of them for the sample rows;
    else every step of its scale (a range narrower than one still holds many)."""
    low, high = number_range(column)
    if high - low >= FACTORY_SAMPLES or not column.scale:
        return DecimalRows(Decimal(low), Decimal(1), max(high - low + 1, 1))
    unit = Decimal(1).scaleb(-column.scale)
    most = Decimal(column.maximum) if column.maximum is not None else Decimal(high)
    least = _least(column, most)
    first = (least / unit).to_integral_value(rounding="ROUND_CEILING") * unit
    last = (most / unit).to_integral_value(rounding="ROUND_FLOOR") * unit
    return DecimalRows(first, unit, max(int((last - first) / unit) + 1, 1))


def number_range(column: Column) -> tuple[int, int]:
    """Whole numbers a column accepts: its bounds, or what its type can hold (from zero
    where it has no minimum, see ``_least``)."""
    if column.maximum is not None:
        high = Decimal(column.maximum)
    elif column.type == "decimal":
        high = decimal_bounds(column)[1]
    else:
        high = Decimal(INTEGER_RANGE[1])
    low = _least(column, high)
    return int(low.to_integral_value(rounding="ROUND_CEILING")), int(
        high.to_integral_value(rounding="ROUND_FLOOR")
    )


# How far below a ceiling under zero the rows of a column without a minimum start.
_BELOW_CEILING = 1000


def _least(column: Column, high: Decimal) -> Decimal:
    """Where a number column's rows start: its minimum; else zero, or, when its maximum
    is below zero (``rules: [balance < 0]``), a little below that maximum."""
    if column.minimum is not None:
        return Decimal(column.minimum)
    if high >= 0:
        return Decimal(0)
    floor = INTEGER_RANGE[0] if column.type == "integer" else decimal_bounds(column)[0]
    return max(Decimal(floor), high - _BELOW_CEILING)


def increasing(field: EntityField, count: int = 3) -> bool:
    """Whether the first ``count`` row values of ``field`` strictly increase."""
    values = [row_value(field, n) for n in range(count)]
    return len(set(map(str, values))) == count and values == sorted(values)  # type: ignore[type-var]


def value_source(value: object) -> str:
    """Python source for a factory row value."""
    if isinstance(value, datetime):
        return f"datetime({value.year}, {value.month}, {value.day}, {value.hour}, tzinfo=UTC)"
    if isinstance(value, date):
        return f"date({value.year}, {value.month}, {value.day})"
    if isinstance(value, Decimal):
        return f'Decimal("{value}")'
    if isinstance(value, uuid.UUID):
        return f'uuid.UUID("{value}")'
    return py(value)


def invalid_json(field: EntityField) -> object | None:
    """A JSON value the API must refuse for ``field``; ``None`` for JSON fields (any goes)."""
    if field.column.type == "json":
        return None
    # An object is a valid string, number, date, UUID or enum value for no field type.
    return {"not": "valid"}
