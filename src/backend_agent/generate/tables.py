"""View models of tables: what the model classes and the initial migration need."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from backend_agent.design.blueprint import Column, Entity, Table
from backend_agent.generate.pyexpr import (
    identifier,
    migration_type,
    model_type,
    py,
    python_type,
    server_default,
    sql_literal,
)

__all__ = [
    "UNQUOTED_KEYWORDS",
    "ColumnView",
    "IndexView",
    "TableView",
    "check_constraints",
    "table_variable",
    "table_view",
]


# Keywords SQLite refuses as bare identifiers that SQLAlchemy's SQLite dialect leaves
# unquoted (its list predates them): a column named ``returning`` is a syntax error in
# every statement that names it. The other keywords SQLite added since (window, filter,
# over, nulls...) fall back to identifiers there. Columns so named are quoted
# explicitly, in the models and the migration.
UNQUOTED_KEYWORDS = frozenset({"nothing", "returning"})


def _name_expr(name: str) -> str:
    """A column name as an expression, quoted whatever the dialect thinks of it if need be."""
    return f"sa.quoted_name({py(name)}, True)" if name in UNQUOTED_KEYWORDS else py(name)


@dataclass(frozen=True)
class ColumnView:
    """One column, as a model attribute and as a migration ``sa.Column``."""

    name: str
    attr: str
    annotation: str  # inside Mapped[...]
    model_args: str  # the arguments of mapped_column(...) or sa.Column(...)
    migration_args: str


@dataclass(frozen=True)
class IndexView:
    """One index."""

    name: str
    columns: tuple[str, ...]
    unique: bool

    @property
    def columns_expr(self) -> str:
        """The columns as a tuple expression, for ``op.create_index``."""
        items = [_name_expr(c) for c in self.columns]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


@dataclass(frozen=True)
class TableView:
    """One table: a model class (or a Core table for junctions) and its migration."""

    name: str
    class_name: str
    variable: str
    doc: str
    columns: tuple[ColumnView, ...]
    table_args: tuple[str, ...]
    migration_constraints: tuple[str, ...]
    indexes: tuple[IndexView, ...]
    imports: tuple[str, ...]


def check_constraints(table: Table) -> tuple[tuple[str, str], ...]:
    """The table's CHECK constraints, plus one per enum column the design left out."""
    checks = list(table.check_constraints)
    named = {name for name, _ in checks}
    for column in table.columns:
        if column.enum_values and column.enum_name and column.enum_name not in named:
            values = ", ".join(sql_literal(v) for v in column.enum_values)
            checks.append((column.enum_name, f"{column.name} IN ({values})"))
    return tuple(checks)


def _foreign_key(table: Table, column: Column) -> str | None:
    fk = column.foreign_key
    if fk is None:
        return None
    return (
        f"sa.ForeignKey({py(f'{fk.table}.{fk.column}')}, "
        f"ondelete={py(fk.on_delete)}, name={py(f'fk_{table.name}_{column.name}')})"
    )


def _column(table: Table, column: Column, *, core: bool) -> ColumnView:
    attr = column.name if core else identifier(column.name)
    primary = column.name in table.primary_key
    # The migration names the primary key in a PrimaryKeyConstraint instead.
    key = ["primary_key=True"] if primary else []
    common = [f"nullable={column.nullable}"]
    if column.name in UNQUOTED_KEYWORDS:
        common.append("quote=True")
    default = server_default(column)
    if default:
        common.append(f"server_default={default}")
    fk = _foreign_key(table, column)
    quoted = column.name in UNQUOTED_KEYWORDS  # quote= needs the name given
    name_arg = [py(column.name)] if (core or quoted or attr != column.name) else []
    model = [*name_arg, model_type(column), *([fk] if fk else [])]
    if primary and column.type == "uuid" and not core and len(table.primary_key) == 1:
        model.append("default=uuid.uuid4")
    annotation = python_type(column)
    if column.nullable and annotation != "Any":
        annotation += " | None"
    return ColumnView(
        name=column.name,
        attr=attr,
        annotation=annotation,
        model_args=", ".join([*model, *key, *common]),
        migration_args=", ".join([py(column.name), migration_type(column), *common]),
    )


def _indexes(table: Table) -> tuple[IndexView, ...]:
    return tuple(IndexView(i.name, tuple(i.columns), i.unique) for i in table.indexes)


def _model_imports(table: Table, *, core: bool) -> tuple[str, ...]:
    kinds = {c.type for c in table.columns}
    lines = []
    if "uuid" in kinds:
        lines.append("import uuid")
    dates = [name for name in ("date", "datetime") if name in kinds]
    if dates and not core:
        lines.append(f"from datetime import {', '.join(dates)}")
    if "decimal" in kinds and not core:
        lines.append("from decimal import Decimal")
    if "json" in kinds and not core:
        lines.append("from typing import Any")
    lines.append("import sqlalchemy as sa")
    if "json" in kinds:
        lines.append("from sqlalchemy.dialects import postgresql")
    if not core:
        lines.append("from sqlalchemy.orm import Mapped, mapped_column")
    lines.append("from app.models.base import Base")
    if "datetime" in kinds:
        lines.append("from app.models.types import UTCDateTime")
    return tuple(lines)


def table_view(table: Table, *, class_name: str = "", doc: str = "") -> TableView:
    """The view of ``table``; without a ``class_name`` it is a Core table (a junction)."""
    core = not class_name
    checks = check_constraints(table)
    # A rule's CHECK and a unique index of API fields carry what the error handler tells
    # the client when the database refuses a write (app/core/errors.py).
    rules = {rule.name: rule for rule in table.rules}
    check_args = tuple(
        f"sa.CheckConstraint({py(sql)}, name={py(name)}"
        + (f", info={{'rule': {py((r.left, r.op, r.right))}}})" if (r := rules.get(name)) else ")")
        for name, sql in checks
    )
    index_args = tuple(
        f"sa.Index({', '.join(py(v) for v in (i.name, *i.columns))}"
        + (", unique=True" if i.unique else "")
        + (f", info={{'fields': {py(i.columns)}}}" if i.reported else "")
        + ")"
        for i in table.indexes
    )
    primary = (
        f"sa.PrimaryKeyConstraint({', '.join(py(c) for c in table.primary_key)}, "
        f"name={py('pk_' + table.name)})"
    )
    foreign = tuple(
        f"sa.ForeignKeyConstraint([{py(c.name)}], [{py(f'{fk.table}.{fk.column}')}], "
        f"name={py(f'fk_{table.name}_{c.name}')}, ondelete={py(fk.on_delete)})"
        for c in table.columns
        if (fk := c.foreign_key) is not None
    )
    return TableView(
        name=table.name,
        class_name=class_name,
        variable=table.name,
        doc=doc,
        columns=tuple(_column(table, c, core=core) for c in table.columns),
        table_args=check_args + index_args,
        migration_constraints=(primary, *foreign, *check_args),
        indexes=_indexes(table),
        imports=_model_imports(table, core=core),
    )


@cache
def _repository_words() -> frozenset[str]:
    template = resources.files("backend_agent.generate") / "templates/app/repositories"
    text = (template / "entity.py.jinja").read_text(encoding="utf-8")
    return frozenset(re.findall(r"[a-z_][a-z0-9_]*", text))


def table_variable(entity: Entity) -> str:
    """The name of ``entity``'s table in its repository module.

    The table's own name, unless the repository's code uses that word itself (a
    parameter ``filters``, a local ``values``...) or it ends like the modules the
    repository imports: then it takes the suffix ``_table``, which none of those has.
    """
    name = entity.table.name
    clash = name in _repository_words() or name.endswith(("_repo", "_models"))
    return f"{name}_table" if clash else name
