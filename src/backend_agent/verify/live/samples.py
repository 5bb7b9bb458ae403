"""Realistic, unique request values built from JSON Schemas.

``sample(schema, n)`` returns a value the schema accepts; different ``n`` give
different values wherever the schema leaves room (every type but enums and
booleans, within their bounds), so unique columns stay unique across the
rows the seed and the load create. Nothing is taken from a schema's examples.
Strings read like data a person would enter ("Notes on caching 42"), unless a
``format``, ``enum`` or ``pattern`` says otherwise. Patterns are built by a small
generator for the common regex forms; anything it cannot satisfy raises
``Unsupported`` rather than sending a value the server would reject.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

__all__ = ["Unsupported", "flatten", "from_pattern", "keep_rules", "sample", "sample_body"]

JSON = dict[str, Any]
_TOPICS = (
    "caching", "indexes", "queues", "testing", "migrations", "logging", "backups",
    "pagination", "retries", "timeouts", "observability", "security", "replication",
)  # fmt: skip
_WORDS = ("amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris")
_NAMESPACE = uuid.UUID("6f1c1b1e-5d4f-4f7e-9a59-2b0c3c1d7e11")
_EPOCH = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)
# Days from the epoch to the end of year 9999: distinct n give distinct dates this long.
_DAYS = (dt.date(9999, 12, 31) - _EPOCH.date()).days


class Unsupported(Exception):
    """The schema asks for something this generator cannot produce."""


def _type_of(schema: JSON) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return str(kinds[0]) if kinds else "null"
    if kind is None:
        if "properties" in schema:
            return "object"
        if "enum" in schema or "const" in schema:
            return None
    return str(kind) if kind else None


def flatten(schema: JSON) -> JSON:
    """``schema`` with ``oneOf``/``anyOf`` narrowed to one non-null choice, ``allOf`` merged."""
    for key in ("oneOf", "anyOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            usable = [o for o in options if _type_of(o) != "null"] or options
            merged = {k: v for k, v in schema.items() if k != key}
            return flatten({**merged, **usable[0]})
    parts = schema.get("allOf")
    if isinstance(parts, list):
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in parts:
            merged.update(flatten(part))
        return merged
    return schema


def sample(schema: JSON, n: int, *, name: str = "") -> Any:
    """A value of ``schema`` for row ``n`` (n >= 0)."""
    schema = flatten(schema)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        values = [v for v in schema["enum"] if v is not None] or [None]
        return values[n % len(values)]
    kind = _type_of(schema)
    if kind == "object":
        return sample_body(schema, n)
    if kind == "array":
        count = int(schema.get("minItems", 0))
        return [sample(schema.get("items", {}), n * 7 + i, name=name) for i in range(count)]
    if kind == "integer":
        return int(_number(schema, n, integer=True))
    if kind == "number":
        return _number(schema, n, integer=False)
    if kind == "boolean":
        return n % 2 == 0
    if kind == "null":
        return None
    if kind == "string" or kind is None:
        return _string(schema, n, name)
    raise Unsupported(f"cannot build a value of type {kind!r}")


def sample_body(schema: JSON, n: int, *, references: Mapping[str, str] | None = None) -> JSON:
    """An object for ``schema``: every required property and the useful optional ones.

    ``references`` fills foreign keys (``author_id``) with ids of rows that exist.
    """
    schema = flatten(schema)
    refs = references or {}
    required = set(schema.get("required", []))
    body: JSON = {}
    for prop, prop_schema in schema.get("properties", {}).items():
        resolved = flatten(prop_schema)
        if resolved.get("readOnly"):
            continue
        if prop in refs:
            body[prop] = refs[prop]
            continue
        if _looks_like_reference(prop, resolved):
            if prop in required:
                raise Unsupported(f"no existing row to reference from required field {prop!r}")
            continue
        kinds = resolved.get("type")
        nullable = isinstance(kinds, list) and "null" in kinds
        if prop not in required and nullable and n % 3 == 2:
            body[prop] = None
            continue
        body[prop] = sample(resolved, n, name=prop)
    return keep_rules(schema, body)


# ``x-rules``: comparisons between two properties every body keeps ("ends_at > starts_at").
_RULE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")


def keep_rules(schema: JSON, body: JSON) -> JSON:
    """``body`` with each broken ``x-rules`` comparison mended: the greater property
    raised above the lesser (or, where its bounds leave no room, the lesser lowered)."""
    rules = [m.groups() for text in schema.get("x-rules", ()) if (m := _RULE.match(str(text)))]
    properties = schema.get("properties", {})
    for _ in range(len(rules) + 1):
        mended = False
        for left, op, right in rules:
            lesser, greater = (left, right) if op in ("<", "<=") else (right, left)
            if body.get(lesser) is None or body.get(greater) is None:
                continue
            low_schema, high_schema = flatten(properties[lesser]), flatten(properties[greater])
            low, high = _read(body[lesser], low_schema), _read(body[greater], high_schema)
            strict = op in ("<", ">")
            if high > low or (not strict and high == low):
                continue
            raised = _shift(low, high_schema, 1 if strict else 0)
            lowered = _shift(high, low_schema, -1 if strict else 0)
            if _within(raised, high_schema):
                body[greater] = _written(raised, body[greater])
            elif _within(lowered, low_schema):
                body[lesser] = _written(lowered, body[lesser])
            else:
                raise Unsupported(f"no values of {lesser} and {greater} keep {left} {op} {right}")
            mended = True
        if not mended:
            break
    return body


def _read(value: Any, schema: JSON) -> Any:
    kind = schema.get("format")
    if kind == "date-time":
        return dt.datetime.fromisoformat(str(value))
    if kind == "date":
        return dt.date.fromisoformat(str(value))
    return Decimal(str(value))


def _shift(value: Any, schema: JSON, steps: int) -> Any:
    """``value`` moved ``steps`` of the smallest step ``schema``'s values take."""
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(hours=steps)
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=steps)
    unit = schema.get("multipleOf")
    step = Decimal(repr(unit)) if isinstance(unit, int | float) and unit > 0 else Decimal(1)
    if _type_of(schema) == "number" and "multipleOf" not in schema:
        step = Decimal("0.01")
    return value + steps * step


def _within(value: Any, schema: JSON) -> bool:
    if not isinstance(value, Decimal):
        return True
    checks: dict[str, Callable[[Any, Any], bool]] = {
        "minimum": operator.ge,
        "maximum": operator.le,
        "exclusiveMinimum": operator.gt,
        "exclusiveMaximum": operator.lt,
    }
    return all(
        check(value, Decimal(str(schema[key]))) for key, check in checks.items() if key in schema
    )


def _written(value: Any, like: Any) -> Any:
    """``value`` in the JSON form of ``like``, the value it replaces."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(like, bool):
        return like
    if isinstance(like, int):
        return int(value)
    if isinstance(like, float):
        return float(value)
    return str(value)


def _looks_like_reference(name: str, schema: JSON) -> bool:
    return name.endswith("_id") and schema.get("format") == "uuid"


def _number(schema: JSON, n: int, *, integer: bool) -> float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    start = float(low) + (1 if "exclusiveMinimum" in schema else 0) if low is not None else 1.0
    stop = (
        float(high) - (1 if "exclusiveMaximum" in schema else 0)
        if high is not None
        else start + 1000
    )
    if stop < start:
        raise Unsupported("an empty numeric range")
    if not integer and start < 1 <= stop:
        # Small positive values where the range has them, away from a bound that may have
        # lost digits as a float (a NUMERIC(18, 4) reaches -99999999999999.9999).
        start = 1.0
    span = max(int(stop - start) + 1 if integer else int(stop - start), 1)
    # A step coprime to the span visits every value before one repeats (unique columns).
    step = 37 if math.gcd(37, span) == 1 else 1
    value = start + (n * step) % span
    if integer:
        return value
    # A whole number is a multiple of every step a scale allows; a fraction of the
    # places it keeps is added when the range has room.
    places = _places(schema)
    whole = math.ceil(value)
    if whole > stop:  # a range narrower than one: its least value of those places
        unit = 10.0**places
        return math.ceil(start * unit) / unit
    value = round(whole + (n % 100) / 100, min(places, 2))
    return value if value <= stop else float(whole)


def _places(schema: JSON) -> int:
    """The decimal places a number keeps: those of its ``multipleOf``, else 2."""
    unit = schema.get("multipleOf")
    if not isinstance(unit, int | float) or unit <= 0:
        return 2
    exponent = Decimal(repr(unit)).normalize().as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 2


def _string(schema: JSON, n: int, name: str) -> str:
    kind = schema.get("format", "")
    if "pattern" in schema:
        return from_pattern(str(schema["pattern"]), n, schema)
    text: str
    narrow = int(schema.get("maxLength", 320)) < 40  # then the short forms, which fit
    if kind == "email":
        text = f"u{n}@e.co" if narrow else f"{_WORDS[n % len(_WORDS)]}.{n}@example.com"
    elif kind == "uuid":
        text = str(uuid.uuid5(_NAMESPACE, f"{name}:{n}"))
    elif kind == "date":
        text = (_EPOCH + dt.timedelta(days=n % _DAYS)).date().isoformat()
    elif kind == "date-time":
        moment = _EPOCH + dt.timedelta(seconds=(n * 17) % (_DAYS * 86_400))
        text = moment.isoformat().replace("+00:00", "Z")
    elif kind in ("uri", "url"):
        text = (
            f"https://e.co/{n}" if narrow else f"https://example.com/{_WORDS[n % len(_WORDS)]}/{n}"
        )
    elif kind == "decimal":
        text = f"{_number(schema, n, integer=False):.{min(_places(schema), 2)}f}"
    elif kind == "password" or "password" in name.lower():
        # Every character class, so any password policy that asks for some is met.
        text = f"Secret-{n}-passphrase"
    else:
        text = _words(name, n)
    return _fit(text, schema, n)


def _words(name: str, n: int) -> str:
    topic = _TOPICS[n % len(_TOPICS)]
    lowered = name.lower()
    if lowered in ("title", "subject", "headline"):
        return f"Notes on {topic} {n}"
    if lowered in ("body", "content", "description", "text", "summary", "bio", "notes"):
        return f"A practical look at {topic}: what worked, what did not, and why ({n})."
    if "name" in lowered:
        return f"{_WORDS[n % len(_WORDS)].title()} {topic} {n}"
    return f"{topic}-{n}"


def _fit(text: str, schema: JSON, n: int) -> str:
    high = schema.get("maxLength")
    low = int(schema.get("minLength", 0))
    if high is not None and len(text) > int(high):
        tail = str(n)
        text = (text[: max(int(high) - len(tail), 0)] + tail)[-int(high) :] if int(high) else ""
    if len(text) < low:
        text = text + "x" * (low - len(text))
    return text


# A regex subset: literals, escapes, classes, groups with alternatives, quantifiers.
_CLASS_SHORTHANDS = {"d": "0123456789", "w": "abcdefghijklmnopqrstuvwxyz0123456789_", "s": " "}
_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."


def _class_chars(body: str) -> str:
    negate = body.startswith("^")
    body = body[1:] if negate else body
    chars: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            chars.extend(_CLASS_SHORTHANDS.get(body[i + 1], body[i + 1]))
            i += 2
            continue
        if i + 2 < len(body) and body[i + 1] == "-":
            chars.extend(chr(c) for c in range(ord(char), ord(body[i + 2]) + 1))
            i += 3
            continue
        chars.append(char)
        i += 1
    if negate:
        return "".join(c for c in _SAFE if c not in chars)
    return "".join(dict.fromkeys(chars))


def _fill(chars: str, count: int, n: int) -> str:
    digits = "".join(c for c in chars if c.isdigit())
    if digits == "0123456789" and count >= len(str(n)):
        return str(n).zfill(count)
    alphabet = "".join(c for c in chars if c.isalnum()) or chars
    out = []
    for _ in range(count):
        out.append(alphabet[n % len(alphabet)])
        n //= len(alphabet)
    return "".join(reversed(out))


def _parse(pattern: str, n: int, min_length: int = 0) -> str:
    pieces: list[tuple[str, int, int | None]] = []  # characters, count, most allowed
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char in "^$":
            i += 1
            continue
        if char == "[":
            end = pattern.index("]", i + 2 if pattern[i + 1 : i + 2] == "]" else i + 1)
            chars, i = _class_chars(pattern[i + 1 : end]), end + 1
        elif char == "\\":
            if i + 1 >= len(pattern):
                raise Unsupported("a trailing backslash")
            chars, i = _CLASS_SHORTHANDS.get(pattern[i + 1], pattern[i + 1]), i + 2
        elif char == ".":
            chars, i = _SAFE, i + 1
        else:
            chars, i = char, i + 1
        low, high, i = _quantifier(pattern, i)
        count = low if high is not None and high == low else max(low, min(high or 12, len(str(n))))
        pieces.append((chars, count, high))
    # Lengthen the repeatable pieces, last first, while minLength asks for more.
    missing = min_length - sum(count for _, count, _ in pieces)
    for k in reversed(range(len(pieces))):
        chars, count, high = pieces[k]
        grow = min(missing, (high if high is not None else missing + count) - count)
        if grow > 0:
            pieces[k], missing = (chars, count + grow, high), missing - grow
    return "".join(
        _fill(chars, count, n) if len(chars) > 1 else chars * count for chars, count, _ in pieces
    )


def _quantifier(pattern: str, i: int) -> tuple[int, int | None, int]:
    if i >= len(pattern):
        return 1, 1, i
    char = pattern[i]
    if char == "?":
        return 0, 1, i + 1
    if char == "*":
        return 0, None, i + 1
    if char == "+":
        return 1, None, i + 1
    match = re.match(r"\{(\d+)(,(\d*))?\}", pattern[i:])
    if match:
        low = int(match.group(1))
        high = low if match.group(2) is None else (int(match.group(3)) if match.group(3) else None)
        return low, high, i + match.end()
    return 1, 1, i


def from_pattern(pattern: str, n: int, schema: JSON | None = None) -> str:
    """A string matching ``pattern`` that encodes ``n``; ``Unsupported`` if none is found."""
    if "(" in pattern or "|" in pattern:
        raise Unsupported(f"pattern {pattern!r} uses groups or alternatives")
    limits = schema or {}
    try:
        text = _parse(pattern, n, int(limits.get("minLength", 0)))
        matched = re.search(pattern, text) is not None
    except (ValueError, re.error, IndexError) as exc:
        raise Unsupported(f"pattern {pattern!r}: {exc}") from None
    too_short = len(text) < int(limits.get("minLength", 0))
    if not matched or too_short or len(text) > int(limits.get("maxLength", len(text))):
        raise Unsupported(f"could not build a value for pattern {pattern!r}")
    return text
