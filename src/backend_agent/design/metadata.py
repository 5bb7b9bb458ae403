"""A blueprint's tables as SQLAlchemy ``MetaData`` (for DDL in any dialect)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from backend_agent.design.blueprint import Blueprint, Column, Table

__all__ = [
    "INTEGER_RANGE",
    "column_type",
    "decimal_bounds",
    "decimal_step",
    "integer_bounds",
    "metadata",
    "server_default",
]

# The range of the integer column type on every supported database (PostgreSQL's
# INTEGER is 32-bit, SQLite's 64): a request value outside it is refused (422) where it
# is validated, instead of failing in the driver (500).
INTEGER_RANGE = (-(2**31), 2**31 - 1)


def integer_bounds(column: Column) -> tuple[int, int]:
    """The values an integer ``column`` takes: the spec's bounds within the type's range."""
    low, high = INTEGER_RANGE
    if column.minimum is not None:
        low = max(low, math.ceil(Decimal(column.minimum)))
    if column.maximum is not None:
        high = min(high, math.floor(Decimal(column.maximum)))
    return low, high


def decimal_step(column: Column) -> Decimal:
    """The smallest step of a decimal ``column``: ``1`` at scale 0, ``0.01`` at scale 2."""
    return Decimal(1).scaleb(-(column.scale or 0))


def decimal_bounds(column: Column) -> tuple[Decimal, Decimal]:
    """The values a decimal ``column`` takes: the spec's bounds within what its precision
    and scale store (``NUMERIC(5, 2)`` holds -999.99 to 999.99)."""
    step = decimal_step(column)
    widest = Decimal(10) ** ((column.precision or 12) - (column.scale or 0)) - step
    low, high = -widest, widest
    if column.minimum is not None:
        low = max(low, Decimal(column.minimum))
    if column.maximum is not None:
        high = min(high, Decimal(column.maximum))
    return low, high


def column_type(column: Column) -> sa.types.TypeEngine[Any]:
    """The portable SQLAlchemy type of a column."""
    kind = column.type
    result: sa.types.TypeEngine[Any]
    if kind == "uuid":
        result = sa.Uuid()
    elif kind in ("string", "email", "url"):
        result = sa.String(column.max_length)
    elif kind == "enum":
        result = sa.String(
            column.max_length or max((len(v) for v in column.enum_values), default=50)
        )
    elif kind == "text":
        result = sa.Text()
    elif kind == "integer":
        result = sa.Integer()
    elif kind == "decimal":
        result = sa.Numeric(column.precision, column.scale)
    elif kind == "boolean":
        result = sa.Boolean()
    elif kind == "date":
        result = sa.Date()
    elif kind == "datetime":
        result = sa.DateTime(timezone=True)
    else:
        result = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    return result


def server_default(column: Column) -> sa.sql.ColumnElement[Any] | sa.TextClause | str | None:
    """The database-side default of a column, if any."""
    if column.server_now:
        # CURRENT_TIMESTAMP, unlike now(), exists on SQLite and PostgreSQL alike.
        return sa.text("CURRENT_TIMESTAMP")
    value = column.default
    if value is None:
        return None
    if isinstance(value, bool):
        # The keywords, not 1/0: PostgreSQL refuses an integer default on a boolean.
        return sa.text("true" if value else "false")
    if isinstance(value, int | float):
        return sa.text(str(value))
    return str(value)


def _table(table: Table, metadata: sa.MetaData) -> sa.Table:
    columns = []
    for c in table.columns:
        extra: list[sa.ForeignKey] = []
        if c.foreign_key:
            target = f"{c.foreign_key.table}.{c.foreign_key.column}"
            name = f"fk_{table.name}_{c.name}"
            extra.append(sa.ForeignKey(target, ondelete=c.foreign_key.on_delete, name=name))
        default = server_default(c)
        columns.append(
            sa.Column(c.name, column_type(c), *extra, nullable=c.nullable, server_default=default)
        )
    constraints: list[sa.schema.SchemaItem] = [
        sa.PrimaryKeyConstraint(*table.primary_key, name=f"pk_{table.name}"),
        *(sa.CheckConstraint(sa.text(sql), name=name) for name, sql in table.check_constraints),
    ]
    result = sa.Table(table.name, metadata, *columns, *constraints)
    for index in table.indexes:
        sa.Index(index.name, *(result.c[name] for name in index.columns), unique=index.unique)
    return result


def metadata(blueprint: Blueprint) -> sa.MetaData:
    """Every table of the blueprint, parents first."""
    result = sa.MetaData()
    for table in blueprint.tables:
        _table(table, result)
    return result
