"""Request examples in the OpenAPI document: every required property, each value valid.

The spec's own examples come first; a required field without one gets a plain value
of its type within its bounds (a foreign key gets a fixed id). When no valid value can
be made (a pattern the spec gave no example for), the schema carries no example at
all: an example that misses a required property or breaks a rule misleads clients and
fails OpenAPI linters.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from backend_agent.design.blueprint import Column, EntityField, RowCheck, Scalar
from backend_agent.design.metadata import integer_bounds
from backend_agent.design.openapi_parts import JSON
from backend_agent.spec.rules import COMPARE

__all__ = ["create_example", "password_example"]

# Any id: an example of a reference, not a row that exists.
_EXAMPLE_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
_PLAIN: dict[str, Scalar | dict[str, Scalar]] = {
    "uuid": _EXAMPLE_ID,
    "boolean": False,
    "date": "2024-01-31",
    "datetime": "2024-01-31T09:30:00Z",
    "json": {"note": "any JSON value"},
}


def create_example(
    fields: tuple[EntityField, ...], rules: tuple[RowCheck, ...] = ()
) -> JSON | None:
    """An example body of the given writable fields, or ``None`` when none can be made
    (nor one that keeps the rules between its fields)."""
    example: JSON = {}
    for field in fields:
        if field.example is not None and _within(field, field.example):
            example[field.name] = field.example
        elif field.required:
            value = _value(field)
            if value is None:
                return None
            example[field.name] = value
    kinds: dict[str, str] = {field.name: field.column.type for field in fields}
    if any(not _keeps(rule, example, kinds) for rule in rules):
        return None
    return example or None


def _within(field: EntityField, value: object) -> bool:
    """Whether a number ``value`` is within its column's bounds, which a rule against a
    number narrows beyond the spec's own min and max (``rating >= 1``)."""
    column = field.column
    if column.type not in ("integer", "decimal") or not isinstance(value, int | float | str):
        return True
    number = Decimal(str(value))
    low, high = column.minimum, column.maximum
    return (low is None or number >= Decimal(str(low))) and (
        high is None or number <= Decimal(str(high))
    )


def _keeps(rule: RowCheck, example: JSON, kinds: dict[str, str]) -> bool:
    left, right = example.get(rule.left), example.get(rule.right)
    if left is None or right is None:
        return True
    read = {"date": date.fromisoformat, "datetime": datetime.fromisoformat}.get(
        kinds[rule.left], Decimal
    )
    return bool(COMPARE[rule.op](read(str(left)), read(str(right))))


def password_example(min_length: int, max_length: int) -> str:
    """A password of a length the policy allows, with every character class in it."""
    phrase = "Correct horse battery 9!"  # upper and lower case, a digit, a symbol
    if len(phrase) <= max_length:
        return phrase + "x" * max(0, min_length - len(phrase))
    return ("Horse 9!" + "correcthorsebattery" * 9)[:max_length]


def _value(field: EntityField) -> Scalar | dict[str, Scalar]:
    column = field.column
    if column.default is not None:
        return column.default
    kind = column.type
    if kind == "enum":
        return column.enum_values[0] if column.enum_values else None
    if kind == "integer":
        low, high = integer_bounds(column)
        return min(max(1, low), high)
    if kind == "decimal":
        return _decimal(column)
    if kind in ("string", "text", "email", "url"):
        return _text(field)
    return _PLAIN.get(kind)


def _decimal(column: Column) -> str:
    whole_digits = (column.precision or 12) - (column.scale or 0)
    value = Decimal(1 if whole_digits >= 1 else 0)
    if column.minimum is not None:
        value = max(value, Decimal(column.minimum))
    if column.maximum is not None:
        value = min(value, Decimal(column.maximum))
    return str(value)


def _text(field: EntityField) -> str | None:
    column = field.column
    low, high = column.min_length or 0, column.max_length
    if column.type == "email":
        local = "ada" + "a" * max(0, low - len("ada@example.com"))
        value = f"{local}@example.com"
    elif column.type == "url":
        value = "https://example.com/" + "a" * max(0, low - len("https://example.com/"))
    else:
        value = f"Sample {field.name.replace('_', ' ')}"
        if high is not None:
            value = value[:high].rstrip() or value[:high]
        value += "x" * max(0, low - len(value))
    if high is not None and len(value) > high:
        return None
    if column.pattern is not None and re.search(column.pattern, value) is None:
        return None
    return value
