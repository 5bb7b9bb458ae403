"""A field's default (or example) checked against its type and constraints, and normalised.

YAML reads ``default: 1.5`` as a float, ``default: "1.5"`` as text and
``default: 2024-01-01`` as a date; the service needs one Python value of the field's
type that also passes the field's own bounds, or the generated code would carry
text into the DDL or a value its own validation refuses.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

__all__ = [
    "DEFAULT_PRECISION",
    "DEFAULT_SCALE",
    "TEXT_BOUNDS",
    "json_form",
    "normalise_value",
]

# The bounds the design stage applies when the spec gives none (kept in step with it).
TEXT_BOUNDS = {"string": 255, "email": 320, "url": 2048}
DEFAULT_PRECISION = 12
DEFAULT_SCALE = 2
# A 32-bit SQL INTEGER, the column type of integer fields.
_INT_RANGE = (-(2**31), 2**31 - 1)
# The same shapes the generated service validates e-mail addresses and URLs with.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


class _Field(Protocol):
    """What the checks read of a field (``FieldSpec`` has it)."""

    @property
    def type(self) -> str: ...
    @property
    def min_length(self) -> int | None: ...
    @property
    def max_length(self) -> int | None: ...
    @property
    def pattern(self) -> str | None: ...
    @property
    def min(self) -> Decimal | None: ...
    @property
    def max(self) -> Decimal | None: ...
    @property
    def precision(self) -> int | None: ...
    @property
    def scale(self) -> int | None: ...
    @property
    def values(self) -> tuple[str, ...] | None: ...


def normalise_value(field: _Field, value: Any) -> Any:
    """``value`` as the Python value of ``field``'s type; ``ValueError`` says what is wrong."""
    kind = field.type
    if kind in ("string", "text", "email", "url"):
        return _text(field, value)
    if kind == "enum":
        if not isinstance(value, str) or value not in (field.values or ()):
            raise ValueError(
                f"{value!r} is not one of the enum values ({', '.join(field.values or ())})"
            )
        return value
    if kind == "integer":
        return _integer(field, value)
    if kind == "decimal":
        return _decimal(field, value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"{value!r} is not a boolean (true or false)")
        return value
    if kind == "date":
        return _date(value)
    if kind == "datetime":
        return _datetime(value)
    if kind == "uuid":
        try:
            return uuid.UUID(str(value)) if isinstance(value, str) else _fail(value, "a UUID")
        except ValueError:
            raise ValueError(f"{value!r} is not a UUID") from None
    return _json(value)


def _fail(value: Any, what: str) -> Any:
    raise ValueError(f"{value!r} is not {what}")


def _text(field: _Field, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text; quote it to make it one")
    longest = field.max_length or TEXT_BOUNDS.get(field.type)
    if longest is not None and len(value) > longest:
        raise ValueError(f"{value!r} is longer than {longest} characters")
    if field.min_length is not None and len(value) < field.min_length:
        raise ValueError(f"{value!r} is shorter than min_length {field.min_length}")
    if field.type == "email" and not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address")
    if field.type == "url" and not _URL.match(value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    if field.type == "string" and field.pattern is not None and not re.search(field.pattern, value):
        raise ValueError(f"{value!r} does not match the pattern {field.pattern!r}")
    return value


def _bounded(field: _Field, number: Decimal, shown: Any) -> None:
    if field.min is not None and number < field.min:
        raise ValueError(f"{shown!r} is less than min {field.min}")
    if field.max is not None and number > field.max:
        raise ValueError(f"{shown!r} is greater than max {field.max}")


def _integer(field: _Field, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not an integer")
    if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
        raise ValueError(f"{value!r} does not fit a 32-bit integer column")
    _bounded(field, Decimal(value), value)
    return value


def _decimal(field: _Field, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"{value!r} is not a decimal number")
    try:
        # Through its text, so 0.1 stays 0.1 rather than the float's binary expansion.
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None
    if not number.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
        raise ValueError(f"{value!r} is not a finite decimal number")
    _bounded(field, number, value)
    precision = field.precision or DEFAULT_PRECISION
    scale = field.scale if field.scale is not None else DEFAULT_SCALE
    exponent = number.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > scale:
        raise ValueError(f"{value!r} has more than {scale} decimal places (scale)")
    whole = len(str(abs(int(number)))) if abs(number) >= 1 else 0
    if whole > precision - scale:
        raise ValueError(
            f"{value!r} has more than {precision - scale} digits before the point "
            f"(precision {precision}, scale {scale})"
        )
    return number.quantize(Decimal(1).scaleb(-places)) if places else Decimal(int(number))


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError(
            f"{value!r} is a date and time; a date field takes a date such as 2024-01-31"
        )
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date such as 2024-01-31")


def _datetime(value: Any) -> dt.datetime:
    parsed: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise ValueError(f"{value!r} is not a date and time such as 2024-01-31T12:00:00Z")
    # The service stores UTC-aware datetimes; a time without a zone is read as UTC.
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _json(value: Any) -> Any:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise ValueError(
            f"{value!r} is not JSON (mappings with text keys, lists, text, numbers, booleans)"
        ) from None
    return value


def json_form(value: Any) -> Any:
    """A normalised value as the service's JSON shows it (dates in ISO form, decimals as text)."""
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value
