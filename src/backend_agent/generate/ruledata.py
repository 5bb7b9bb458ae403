"""Test data that keeps the spec's rules between fields (``ends_at > starts_at``).

Sample rows draw each field's values on their own (increasing from row to row, see
``samples``). Where a rule compares two fields, two things make every row keep it:
the lesser field's range is narrowed so the greater one always has room above it
(``narrow``, the loader's own check), and ``settle`` raises the greater field of a row
that breaks a rule to the least value that keeps it. Both sides still increase from row
to row, so the paging, sorting and filtering tests know the order in advance.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from backend_agent.design.blueprint import Column, Entity, EntityField, RowCheck
from backend_agent.design.metadata import decimal_bounds, decimal_step
from backend_agent.generate.samples import number_range, row_value
from backend_agent.spec.rules import COMPARE, INTEGER_RANGE, Span, narrow

__all__ = [
    "breaking",
    "broken_by",
    "compared",
    "data_fields",
    "json_value",
    "open_fields",
    "plain_fields",
    "rule_pairs",
    "sample_row",
    "settle",
]

_NUMBERS = ("integer", "decimal")


def rule_pairs(entity: Entity) -> list[tuple[str, str, bool]]:
    """(lesser, greater, strict) of each rule between two fields."""
    pairs = []
    for rule in entity.table.rules:
        strict = rule.op in ("<", ">")
        if rule.op in ("<", "<="):
            pairs.append((rule.left, rule.right, strict))
        else:
            pairs.append((rule.right, rule.left, strict))
    return pairs


def compared(entity: Entity) -> frozenset[str]:
    """The fields some rule between two fields compares."""
    return frozenset(name for rule in entity.table.rules for name in (rule.left, rule.right))


def _step(column: Column) -> Decimal:
    return Decimal(1) if column.type == "integer" else decimal_step(column)


def _span(column: Column, *, widest: bool) -> Span:
    low, high = number_range(column)
    if widest and column.minimum is None:
        # Below zero too: a field capped under zero by a rule still has values.
        least = INTEGER_RANGE[0] if column.type == "integer" else decimal_bounds(column)[0]
        return least, Decimal(high), _step(column)
    return Decimal(low), Decimal(high), _step(column)


def data_fields(entity: Entity) -> dict[str, EntityField]:
    """Every writable field by name; those a rule compares with a number range narrowed
    so the rule can hold on every sample row."""
    fields = {f.name: f for f in entity.writable_fields}
    pairs = rule_pairs(entity)
    numbers = {n for n in compared(entity) if fields[n].column.type in _NUMBERS}
    if not numbers:
        return fields
    spans = None
    for widest in (False, True):
        spans = narrow({n: _span(fields[n].column, widest=widest) for n in numbers}, pairs)
        if spans is not None:
            break
    if spans is None:  # the loader refuses rules no values keep
        raise ValueError(f"the rules of {entity.name} leave no values for its test data")
    for name, (low, high, _) in spans.items():
        column = replace(fields[name].column, minimum=_text(low), maximum=_text(high))
        fields[name] = replace(fields[name], column=column)
    return fields


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def _above(lesser: object, column: Column, *, strict: bool) -> object:
    """The least value of ``column`` above ``lesser`` (or equal to it, unless strict)."""
    if isinstance(lesser, datetime):
        return lesser + timedelta(hours=1) if strict else lesser
    if isinstance(lesser, date):
        return lesser + timedelta(days=1) if strict else lesser
    assert isinstance(lesser, int | Decimal)
    step = _step(column)
    if strict:
        value = (Decimal(lesser) / step).to_integral_value(rounding=ROUND_FLOOR) * step + step
    else:
        value = (Decimal(lesser) / step).to_integral_value(rounding=ROUND_CEILING) * step
    return int(value) if column.type == "integer" else value.quantize(step)


def settle(entity: Entity, values: dict[str, object]) -> dict[str, object]:
    """``values`` (Python values of one row) with each broken rule's greater field raised
    to the least value that keeps it; sides that are absent or null are left alone."""
    settled = dict(values)
    columns = {f.name: f.column for f in entity.writable_fields}
    pairs = rule_pairs(entity)
    for _ in range(len(pairs) + 1):
        changed = False
        for lesser, greater, strict in pairs:
            low, high = settled.get(lesser), settled.get(greater)
            if low is None or high is None:
                continue
            if high > low or (not strict and high == low):  # type: ignore[operator]
                continue
            settled[greater] = _above(low, columns[greater], strict=strict)
            changed = True
        if not changed:
            break
    return settled


def json_value(value: object) -> object:
    """A row value as a request body sends it."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _below(greater: object, column: Column, *, strict: bool) -> object:
    """The greatest value of ``column`` below ``greater`` (or equal, unless strict)."""
    if isinstance(greater, datetime):
        return greater - timedelta(hours=1) if strict else greater
    if isinstance(greater, date):
        return greater - timedelta(days=1) if strict else greater
    assert isinstance(greater, int | Decimal)
    step = _step(column)
    if strict:
        value = (Decimal(greater) / step).to_integral_value(rounding=ROUND_CEILING) * step - step
    else:
        value = (Decimal(greater) / step).to_integral_value(rounding=ROUND_FLOOR) * step
    return int(value) if column.type == "integer" else value.quantize(step)


def _fits(value: object, column: Column) -> bool:
    if not isinstance(value, int | Decimal):
        return True
    low, high = (
        (Decimal(-(2**31)), Decimal(2**31 - 1))
        if column.type == "integer"
        else decimal_bounds(column)
    )
    if column.minimum is not None:
        low = max(low, Decimal(column.minimum))
    if column.maximum is not None:
        high = min(high, Decimal(column.maximum))
    return low <= value <= high


def breaking(
    entity: Entity, row: dict[str, object], left: str, right: str, op: str
) -> list[dict[str, object]]:
    """Changes of one field of ``row``, each within its own bounds, after which the rule
    ``left op right`` no longer holds: the lesser side raised, then the greater side
    lowered; empty when neither side can move that far."""
    columns = {f.name: f.column for f in entity.writable_fields}
    lesser, greater = (left, right) if op in ("<", "<=") else (right, left)
    low, high = row[lesser], row[greater]
    changes: list[dict[str, object]] = []
    raised = _above(high, columns[lesser], strict=True)
    if _fits(raised, columns[lesser]):
        changes.append({lesser: raised})
    lowered = _below(low, columns[greater], strict=True)
    if _fits(lowered, columns[greater]):
        changes.append({greater: lowered})
    return changes


def broken_by(entity: Entity, row: dict[str, object]) -> list[RowCheck]:
    """The rules of ``entity`` that ``row`` breaks (a side that is null keeps a rule)."""
    return [
        rule
        for rule in entity.table.rules
        if row.get(rule.left) is not None
        and row.get(rule.right) is not None
        and not COMPARE[rule.op](row[rule.left], row[rule.right])
    ]


def plain_fields(entity: Entity) -> list[EntityField]:
    """The writable fields that are not references, with the ranges test data draws from."""
    fields = data_fields(entity)
    return [fields[f.name] for f in entity.writable_fields if f.column.foreign_key is None]


def open_fields(entity: Entity) -> list[EntityField]:
    """The plain fields every role may see and set: what the tests' bodies send. Those
    only some roles may see or set take their defaults there (tests/test_field_access.py
    checks them)."""
    return [f for f in plain_fields(entity) if f.read_roles is None and f.write_roles is None]


def sample_row(entity: Entity, n: int) -> dict[str, object]:
    """The values of the ``n``-th sample row, keeping the rules between its fields."""
    return settle(entity, {f.name: row_value(f, n) for f in plain_fields(entity)})
