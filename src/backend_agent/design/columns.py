"""Columns every table shares (the id, the timestamps), foreign keys, and the CHECK
constraints that keep a column's values in its declared set or range."""

from __future__ import annotations

from typing import Literal

from backend_agent.design.blueprint import Column, ForeignKey

__all__ = ["ON_DELETE", "fk_column", "id_column", "range_checks", "timestamps"]

# The spec's on_delete, as the foreign key says it.
ON_DELETE: dict[str, Literal["CASCADE", "SET NULL", "RESTRICT"]] = {
    "cascade": "CASCADE",
    "set_null": "SET NULL",
    "restrict": "RESTRICT",
}


def id_column() -> Column:
    """The primary key every table has: a UUID ``id``."""
    return Column("id", "uuid", nullable=False, primary_key=True)


def timestamps(*, soft_delete: bool = False) -> tuple[Column, ...]:
    """``created_at`` and ``updated_at`` (and ``deleted_at`` for a soft delete)."""
    stamps = (
        Column("created_at", "datetime", nullable=False, server_now=True),
        Column("updated_at", "datetime", nullable=False, server_now=True),
    )
    return (*stamps, Column("deleted_at", "datetime", nullable=True)) if soft_delete else stamps


def fk_column(name: str, table: str, on_delete: str, *, nullable: bool) -> Column:
    """A UUID column referring to ``table``'s id."""
    return Column(
        name=name,
        type="uuid",
        nullable=nullable,
        foreign_key=ForeignKey(table, "id", ON_DELETE[on_delete]),
    )


def range_checks(table: str, columns: list[Column]) -> tuple[tuple[str, str], ...]:
    """(name, SQL) of the CHECK of each enum's values and each bounded number's range."""
    checks = []
    for column in columns:
        if column.enum_values and column.enum_name:
            quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in column.enum_values)
            checks.append((column.enum_name, f'"{column.name}" IN ({quoted})'))
        bounds = [
            f'"{column.name}" {op} {value}'
            for op, value in ((">=", column.minimum), ("<=", column.maximum))
            if value is not None
        ]
        if bounds:
            checks.append((f"ck_{table}_{column.name}_range", " AND ".join(bounds)))
    return tuple(checks)
