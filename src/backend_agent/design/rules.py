"""The spec's rules and unique groups as columns, CHECK constraints and indexes.

A rule comparing a number field with a number is a bound of the field, folded into its
column's minimum or maximum (so its range check, the API's validation and the OpenAPI
document all carry it). A rule between two fields becomes a ``RowCheck``: a CHECK
constraint and a comparison the service makes before it writes. A ``unique_together``
group becomes a unique index over its columns (a relation's is its foreign key).

Names follow the other constraints' (``ck_<table>_...``, ``uq_<table>_...``), made of
the fields they compare where that fits PostgreSQL's 63 bytes, else of a digest of the
rule, so an edit of one rule never renames another's constraint.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from decimal import Decimal

from backend_agent.design.blueprint import RULE_WORDS, Column, Index, RowCheck
from backend_agent.spec.identifiers import MAX_IDENTIFIER_BYTES
from backend_agent.spec.model import EntitySpec
from backend_agent.spec.rules import RowRule, field_bounds

__all__ = ["bounded", "row_checks", "unique_groups"]


def _name(prefix: str, table: str, parts: list[str], text: str) -> str:
    readable = "_".join([prefix, table, *parts])
    if len(readable.encode("utf-8")) <= MAX_IDENTIFIER_BYTES:
        return readable
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    return f"{prefix}_{table}_{digest}"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def bounded(column: Column, spec: EntitySpec, rules: tuple[RowRule, ...]) -> Column:
    """``column`` with the bounds the rules comparing it with a number set."""
    own = [r for r in rules if r.left == column.name and isinstance(r.right, Decimal)]
    if not own:
        return column
    field = spec.fields[column.name]
    low, high = field_bounds(field, rules, column.name)
    lower = field.min is not None or any(r.op in (">", ">=") for r in own)
    upper = field.max is not None or any(r.op in ("<", "<=") for r in own)
    return replace(
        column,
        minimum=_number(low) if lower else column.minimum,
        maximum=_number(high) if upper else column.maximum,
    )


def row_checks(table: str, rules: tuple[RowRule, ...]) -> tuple[RowCheck, ...]:
    """A CHECK for each rule between two fields, in the spec's order."""
    return tuple(
        RowCheck(
            _name("ck", table, [rule.left, RULE_WORDS[rule.op], rule.right], rule.text),
            rule.left,
            rule.op,
            rule.right,
        )
        for rule in rules
        if isinstance(rule.right, str)
    )


def unique_groups(table: str, spec: EntitySpec) -> tuple[Index, ...]:
    """A unique index for each ``unique_together`` group, over the API's field names."""
    indexes = []
    for group in spec.unique_together:
        # A relation's column is its foreign key; the owner's is owner_id.
        columns = tuple(name if name in spec.fields else f"{name}_id" for name in group)
        name = _name("uq", table, list(columns), " ".join(columns))
        indexes.append(Index(name, columns, unique=True, reported=True))
    return tuple(indexes)
