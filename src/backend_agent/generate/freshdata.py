"""Values a fresh copy of a sample row draws: each unique field (and one field of each
group unique together) takes a new value per row, so a test can make any number of
rows; where a rule between fields compares one, the values stay above every sample's
and the factories' ``keep_rules`` raises the greater side of a rule they break.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from backend_agent.design.blueprint import Entity, EntityField
from backend_agent.design.metadata import decimal_step
from backend_agent.generate.pyexpr import py
from backend_agent.generate.ruledata import compared, plain_fields, rule_pairs, sample_row
from backend_agent.generate.samples import FACTORY_SAMPLES, decimal_rows, number_range, value_source

__all__ = ["fresh_expression", "fresh_rule_pairs", "fresh_values"]


def fresh_expression(field: EntityField, above: object = None) -> str | None:
    """An expression drawing a new value of ``field`` per row; with ``above`` (the largest
    sample value of a field a rule compares), every value drawn is greater than it."""
    column = field.column
    kind = column.type
    if kind in ("string", "text", "email", "url"):
        width = column.max_length or 255
        if width < 8:  # letters only, unlike any sample row: distinct for 16**width rows
            return f"short_serial({width})"
        prefix = field.name.replace("_", "-")[: max(width - 8, 0)]
        return f'f"{prefix}-{{next(SERIAL):07d}}"[:{width}]'
    if kind == "integer":
        # Above the sample rows' values, inside the column's range.
        low, high = number_range(column)
        start = low + FACTORY_SAMPLES
        if isinstance(above, int):
            start = max(start, above + 1)
        span = high - start + 1
        return f"{start} + next(SERIAL) % {span}" if span >= 1 else None
    if kind == "decimal":
        # Past the sample rows, every step of the column's scale counts: a narrow range
        # still has room for the rows a test makes.
        rows = decimal_rows(column)
        unit = Decimal(1).scaleb(-(column.scale or 0))
        first = rows.first + FACTORY_SAMPLES * rows.step
        if isinstance(above, Decimal):
            first = max(first, above + unit)
        room = int((rows.first + (rows.count - 1) * rows.step - first) / unit) + 1
        if room < 1:
            return None
        return f'Decimal("{first}") + Decimal(next(SERIAL) % {room}).scaleb(-{column.scale or 0})'
    if kind == "date":
        day = above + timedelta(days=1) if isinstance(above, date) else date(2000, 1, 1)
        return f"{value_source(day)} + timedelta(days=next(SERIAL))"
    if kind == "datetime":
        moment = datetime(2000, 1, 1, tzinfo=UTC)
        if isinstance(above, datetime):
            moment = above + timedelta(hours=1)
        return f"{value_source(moment)} + timedelta(hours=next(SERIAL))"
    return "uuid.uuid4()" if kind == "uuid" else None


def _fresh_fields(entity: Entity) -> list[EntityField]:
    """The fields a fresh copy of sample 0 draws anew: each unique one, and one of each
    group unique together (one no rule compares, where the group has one)."""
    plain = plain_fields(entity)
    fresh = {f.name for f in plain if f.column.unique}
    for index in entity.table.indexes:
        if not index.reported or len(index.columns) < 2 or fresh & set(index.columns):
            continue
        members = [f for f in plain if f.name in index.columns and fresh_expression(f) is not None]
        members.sort(key=lambda f: f.name in compared(entity))
        fresh |= {members[0].name} if members else set()
    return [f for f in plain if f.name in fresh]


def fresh_values(entity: Entity) -> str:
    rules = compared(entity)
    exprs = {}
    for field in _fresh_fields(entity):
        above = None
        if field.name in rules:
            # Above every sample row's value: a rule with the field as its greater side
            # still holds, and keep_rules raises the greater side of the others.
            drawn = [v for n in range(FACTORY_SAMPLES) if (v := sample_row(entity, n)[field.name])]
            above = max(drawn, default=None)  # type: ignore[type-var]
        exprs[field.name] = fresh_expression(field, above)
    items = [f"{py(name)}: {expr}" for name, expr in exprs.items() if expr is not None]
    return "{" + ", ".join(items) + "}" if items else ""


def fresh_rule_pairs(entity: Entity) -> str:
    """A tuple literal of (lesser, greater, strict, unit) of each rule between two fields,
    for ``keep_rules`` in the factories; "" when no fresh value is compared by a rule."""
    if not {f.name for f in _fresh_fields(entity)} & compared(entity):
        return ""
    columns = {f.name: f.column for f in plain_fields(entity)}
    units = {"date": "timedelta(days=1)", "datetime": "timedelta(hours=1)", "integer": "1"}
    pairs = []
    for lesser, greater, strict in rule_pairs(entity):
        column = columns[greater]
        unit = units.get(column.type) or f"Decimal({py(str(decimal_step(column)))})"
        pairs.append(f"({py(lesser)}, {py(greater)}, {strict}, {unit})")
    return "(" + ", ".join(pairs) + ("," if len(pairs) == 1 else "") + ")"
