"""Schema migrations between two blueprints, as Alembic operations rendered to Python.

Alembic's own comparison does the bulk of the work: the old schema is created
in an in-memory SQLite database and compared with the new metadata. What it
does not see (renames, check constraints, type changes) is added here, and
every operation that could lose data is reported instead of silently planned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.migration import MigrationContext
from alembic.operations import ops
from sqlalchemy.dialects import postgresql

from backend_agent.design.blueprint import Blueprint, Column, ForeignKey, Table
from backend_agent.design.counts import count_changes, counting_helpers
from backend_agent.design.metadata import column_type, metadata
from backend_agent.design.search import search_changes, search_helpers

__all__ = ["MigrationPlan", "Renames", "plan_migration", "render_revision"]


@dataclass(frozen=True)
class Renames:
    """Renames declared in the spec: old table -> new table; (new table, old column) -> new."""

    tables: dict[str, str] = field(default_factory=dict)
    columns: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class MigrationPlan:
    """The upgrade and downgrade code of one revision, and what it does in words."""

    upgrade: str
    downgrade: str
    operations: tuple[str, ...]
    data_loss: tuple[str, ...]  # operations that drop data; need an explicit instruction
    blocked: tuple[str, ...]  # changes that cannot be applied to a table with rows as asked

    @property
    def empty(self) -> bool:
        """Whether the schema did not change."""
        return not self.operations


def _rename_tables(tables: tuple[Table, ...], renames: Renames) -> tuple[Table, ...]:
    def fk(key: ForeignKey | None) -> ForeignKey | None:
        if key is None or key.table not in renames.tables:
            return key
        return replace(key, table=renames.tables[key.table])

    result = []
    for table in tables:
        name = renames.tables.get(table.name, table.name)
        moved = {old: new for (t, old), new in renames.columns.items() if t == name}
        columns = tuple(
            replace(c, name=moved.get(c.name, c.name), foreign_key=fk(c.foreign_key))
            for c in table.columns
        )
        indexes = tuple(
            replace(i, columns=tuple(moved.get(c, c) for c in i.columns)) for i in table.indexes
        )
        checks = tuple((n, _rename_in_sql(sql, moved)) for n, sql in table.check_constraints)
        primary = tuple(moved.get(c, c) for c in table.primary_key)
        result.append(
            replace(
                table,
                name=name,
                columns=columns,
                indexes=indexes,
                check_constraints=checks,
                primary_key=primary,
            )
        )
    return tuple(result)


def _rename_in_sql(sql: str, moved: dict[str, str]) -> str:
    for old, new in moved.items():
        sql = re.sub(rf"\b{re.escape(old)}\b", new, sql)
    return sql


def _schema_of(tables: tuple[Table, ...], like: Blueprint) -> sa.MetaData:
    return metadata(replace(like, tables=tables))


def _describe(op: ops.MigrateOperation) -> list[str]:
    if isinstance(op, ops.ModifyTableOps):
        return [line for sub in op.ops for line in _describe(sub)]
    if isinstance(op, ops.CreateTableOp):
        return [f"create table {op.table_name}"]
    if isinstance(op, ops.DropTableOp):
        return [f"drop table {op.table_name}"]
    if isinstance(op, ops.AddColumnOp):
        return [f"add column {op.table_name}.{op.column.name}"]
    if isinstance(op, ops.DropColumnOp):
        return [f"drop column {op.table_name}.{op.column_name}"]
    if isinstance(op, ops.CreateIndexOp):
        return [f"create index {op.index_name} on {op.table_name}"]
    if isinstance(op, ops.DropIndexOp):
        return [f"drop index {op.index_name}"]
    if isinstance(op, ops.CreateForeignKeyOp):
        return [f"create foreign key {op.constraint_name} on {op.source_table}"]
    if isinstance(op, ops.DropConstraintOp):
        return [f"drop constraint {op.constraint_name} on {op.table_name}"]
    return [type(op).__name__]


def _flatten(container: ops.OpContainer) -> list[ops.MigrateOperation]:
    result: list[ops.MigrateOperation] = []
    for op in container.ops:
        result.extend(_flatten(op) if isinstance(op, ops.ModifyTableOps) else [op])
    return result


def _column_changes(
    old: tuple[Table, ...], new: tuple[Table, ...]
) -> tuple[list[str], list[str], list[str]]:
    """Changes autogenerate leaves alone: (upgrade code, downgrade code, blocked reasons)."""
    up: list[str] = []
    down: list[str] = []
    blocked: list[str] = []
    before = {t.name: t for t in old}
    for table in new:
        if table.name not in before:
            continue
        previous = {c.name: c for c in before[table.name].columns}
        for column in table.columns:
            was = previous.get(column.name)
            if was is None:
                continue
            where = f"{table.name}.{column.name}"
            if _db_type(was) != _db_type(column):
                if _widened(was, column):
                    up.append(_alter_length(table.name, column, column.max_length))
                    down.append(_alter_length(table.name, column, was.max_length))
                else:
                    blocked.append(
                        f"{where} changes type ({_db_type(was)} -> {_db_type(column)}): "
                        "existing rows need a data step; add a new field, copy the data "
                        "in a migration you write, then remove the old field"
                    )
            if was.nullable and not column.nullable:
                blocked.append(
                    f"{where} becomes required, but existing rows may hold NULL: "
                    "keep it nullable, or fill it in a migration you write first"
                )
        old_checks = dict(before[table.name].check_constraints)
        new_checks = dict(table.check_constraints)
        for name in sorted(set(old_checks) | set(new_checks)):
            if old_checks.get(name) == new_checks.get(name):
                continue
            up.append(_swap_check(table.name, name, old_checks.get(name), new_checks.get(name)))
            down.append(_swap_check(table.name, name, new_checks.get(name), old_checks.get(name)))
    return up, down, blocked


def _db_type(column: Column) -> str:
    """The column's type as PostgreSQL spells it, e.g. VARCHAR(200) or TEXT."""
    return str(column_type(column).compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]


def _widened(old: Column, new: Column) -> bool:
    """Whether ``new`` only lengthens a VARCHAR, which keeps every existing value."""
    before, after = (
        re.fullmatch(r"VARCHAR\((\d+)\)", _db_type(old)),
        re.fullmatch(r"VARCHAR\((\d+)\)", _db_type(new)),
    )
    return bool(before and after and int(after.group(1)) >= int(before.group(1)))


def _alter_length(table: str, column: Column, length: int | None) -> str:
    return (
        f"    with op.batch_alter_table({table!r}) as batch_op:\n"
        f"        batch_op.alter_column({column.name!r}, type_=sa.String(length={length}))"
    )


def _swap_check(table: str, name: str, drop: str | None, create: str | None) -> str:
    lines = [f"    with op.batch_alter_table({table!r}) as batch_op:"]
    if drop is not None:
        lines.append(f"        batch_op.drop_constraint({name!r}, type_='check')")
    if create is not None:
        lines.append(f"        batch_op.create_check_constraint({name!r}, sa.text({create!r}))")
    return "\n".join(lines)


def _describe_code(code: str) -> str:
    """A one-line description of a hand-rendered batch block."""
    table = code.split("'")[1]
    if "check_constraint" in code or "drop_constraint" in code:
        return f"replace check constraint {code.split(chr(39))[3]} on {table}"
    return f"widen column {table}.{code.split(chr(39))[3]}"


def _rename_code(renames: Renames, *, reverse: bool) -> list[str]:
    lines = []
    for old, new in sorted(renames.tables.items()):
        a, b = (new, old) if reverse else (old, new)
        lines.append(f"    op.rename_table({a!r}, {b!r})")
    for (table, old), new in sorted(renames.columns.items()):
        a, b = (new, old) if reverse else (old, new)
        lines.append(
            f"    with op.batch_alter_table({table!r}) as batch_op:\n"
            f"        batch_op.alter_column({a!r}, new_column_name={b!r})"
        )
    return lines


def _body(code: str) -> str:
    lines = [
        line
        for line in code.splitlines()
        if line.strip() and not line.strip().startswith("# ###") and line.strip() != "pass"
    ]
    return "\n".join(lines)


def _touched(flat: list[ops.MigrateOperation], extra: list[str], renames: Renames) -> set[str]:
    """The tables (new names) a revision creates, alters or renames."""
    names = {str(getattr(op, "table_name", None) or getattr(op, "source_table", "")) for op in flat}
    names |= {code.split("'")[1] for code in extra}
    names |= set(renames.tables.values()) | {table for table, _ in renames.columns}
    return names - {""}


def plan_migration(
    old: Blueprint | None, new: Blueprint, renames: Renames | None = None
) -> MigrationPlan:
    """The revision that turns ``old``'s schema into ``new``'s (``None``: an empty database)."""
    renames = renames or Renames()
    old_tables = _rename_tables(old.tables, renames) if old else ()
    engine = sa.create_engine("sqlite://")
    target = metadata(new)
    with engine.connect() as connection:
        if old_tables:
            _schema_of(old_tables, new).create_all(connection)
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": False, "render_as_batch": True, "target_metadata": target},
        )
        script = produce_migrations(context, target)
    engine.dispose()
    upgrade_ops = script.upgrade_ops
    downgrade_ops = script.downgrade_ops
    assert upgrade_ops is not None
    assert downgrade_ops is not None
    flat = _flatten(upgrade_ops)
    extra_up, extra_down, blocked = _column_changes(old_tables, new.tables)
    data_loss = [
        line
        for op in flat
        if isinstance(op, ops.DropTableOp | ops.DropColumnOp)
        for line in _describe(op)
    ]
    existing = {t.name for t in old_tables}
    for op in flat:
        if isinstance(op, ops.AddColumnOp) and op.table_name in existing:
            column = op.column
            if not column.nullable and column.server_default is None:
                blocked.append(
                    f"{op.table_name}.{column.name} is required and has no default: existing "
                    "rows need a value; add a default to the field, or make it nullable"
                )
    described = [f"rename table {a} -> {b}" for a, b in sorted(renames.tables.items())]
    described += [f"rename column {t}.{a} -> {b}" for (t, a), b in sorted(renames.columns.items())]
    described += [line for op in upgrade_ops.ops for line in _describe(op)]
    described += [_describe_code(code) for code in extra_up]
    touched = _touched(flat, extra_up, renames)
    counts = count_changes(
        old.counted if old else (), new.counted, renamed=renames.tables, touched=touched
    )
    described += counts.operations
    search = search_changes(
        old.tables if old else (), new.tables, renamed=renames.tables, touched=touched
    )
    described += search.operations
    for op in _flatten(downgrade_ops):
        if isinstance(op, ops.AddColumnOp):
            op.column.nullable = True  # dropped by the upgrade: the old values are gone
    up = [
        *counts.before_upgrade,
        *search.before_upgrade,
        *_rename_code(renames, reverse=False),
        _body(render_python_code(upgrade_ops, render_as_batch=True)),
        *extra_up,
        *counts.after_upgrade,
        *search.after_upgrade,
    ]
    down = [
        *counts.before_downgrade,
        *search.before_downgrade,
        *extra_down,
        _body(render_python_code(downgrade_ops, render_as_batch=True)),
        *_rename_code(renames, reverse=True),
        *counts.after_downgrade,
        *search.after_downgrade,
    ]
    return MigrationPlan(
        upgrade="\n".join(part for part in up if part) or "    pass",
        downgrade="\n".join(part for part in down if part) or "    pass",
        operations=tuple(described),
        data_loss=tuple(data_loss),
        blocked=tuple(blocked),
    )


def render_revision(
    plan: MigrationPlan, *, revision: str, down_revision: str | None, message: str
) -> str:
    """A complete Alembic revision file for ``plan``."""
    code = plan.upgrade + plan.downgrade
    # JSON columns render as JSONB on PostgreSQL, whose astext_type renders as Text().
    imports = [
        line
        for line, needed in (
            ("from sqlalchemy import Text", re.search(r"(?<![\w.])Text\(", code)),
            ("from sqlalchemy.dialects import postgresql", "postgresql." in code),
        )
        if needed
    ]
    helpers = counting_helpers() + "\n" if "_count_rows(" in code else ""
    helpers += search_helpers() + "\n" if "_index_search(" in code else ""
    return (
        f'"""{message}\n\nRevision ID: {revision}\nRevises: {down_revision or "-"}\n"""\n\n'
        "import sqlalchemy as sa\nfrom alembic import op\n"
        + "".join(f"{line}\n" for line in imports)
        + "\n"
        f"revision = {revision!r}\ndown_revision = {down_revision!r}\n"
        f"branch_labels = None\ndepends_on = None\n\n{helpers}\n"
        f"def upgrade() -> None:\n{plan.upgrade}\n\n\n"
        f"def downgrade() -> None:\n{plan.downgrade}\n"
    )
