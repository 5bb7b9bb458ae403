"""Live-row counts kept by triggers: which tables get them, and the migration code.

A list's total is otherwise a ``count(*)`` over every matching row on every request:
O(rows), the slowest part of a list once a table grows. For the tables whose lists are
read without a filter or an owner scope, triggers keep the number of live rows in
``row_counts`` (table_name, slot, live) in the writing transaction, so the total is a
lookup. On PostgreSQL statement-level triggers (transition tables) add each statement's
change to the slot ``pg_backend_pid() % 16``, so concurrent writers never queue on one
counter row; the count is ``SUM(live)``. On SQLite row-level triggers use one slot.

The revision code calls helpers (``_count_rows``, ``_uncount_rows``) defined in the
revision file itself, so an applied revision never changes when the generator does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from backend_agent.design.blueprint import Counted, Entity
from backend_agent.design.visibility import hiding_relations

__all__ = [
    "COUNTS_TABLE",
    "AroundSchema",
    "count_changes",
    "counted_tables",
    "counting_helpers",
    "reinstalled",
]

T = TypeVar("T")

COUNTS_TABLE = "row_counts"


def counted_tables(entities: Iterable[Entity]) -> tuple[Counted, ...]:
    """The tables whose unfiltered list some caller sees without an owner scope.

    A list whose rule restricts every caller to their own rows is always filtered by
    owner, so its table would pay for triggers it never reads.
    """
    entities = tuple(entities)
    by_name = {entity.name: entity for entity in entities}
    result = []
    for entity in entities:
        rule = entity.permissions.get("list")
        if rule is None or not any(route.action == "list" for route in entity.routes):
            continue
        if rule.kind == "owner" and not rule.roles:
            continue
        if entity.keyset:
            continue  # paged by cursor: its list reports no total
        if hiding_relations(entity, by_name):
            # Its rows are hidden with a softly deleted parent, which no trigger on
            # this table sees: its total is counted.
            continue
        column = "deleted_at" if entity.soft_delete else None
        result.append(Counted(entity.table.name, column))
    return tuple(result)


_CREATE_TABLE = f"""    op.create_table(
        "{COUNTS_TABLE}",
        sa.Column("table_name", sa.String(length=63), nullable=False),
        sa.Column("slot", sa.SmallInteger(), nullable=False),
        sa.Column("live", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "slot", name="pk_{COUNTS_TABLE}"),
    )"""
_DROP_TABLE = f'    op.drop_table("{COUNTS_TABLE}")'

_HELPERS = '''
# Live-row counts (app/models/counts.py): triggers keep row_counts exact in the writing
# transaction, so an unfiltered list reads its total instead of counting every row. On
# PostgreSQL each connection adds to its own slot (backend pid mod 16), so concurrent
# writers never queue on one counter row; the count is the sum of the slots. Table and
# column names are constants of this file, never input.
_PG_COUNTER = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE delta bigint := {delta};
BEGIN
    IF delta <> 0 THEN
        INSERT INTO row_counts (table_name, slot, live)
        VALUES ('{table}', pg_backend_pid() % 16, delta)
        ON CONFLICT (table_name, slot) DO UPDATE SET live = row_counts.live + EXCLUDED.live;
    END IF;
    RETURN NULL;
END $$
"""
_PG_TRUNCATED = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM row_counts WHERE table_name = '{table}';
    RETURN NULL;
END $$
"""
_SQLITE_ADD = (
    "INSERT INTO row_counts (table_name, slot, live) VALUES ('{table}', 0, {delta})"
    " ON CONFLICT (table_name, slot) DO UPDATE SET live = live + excluded.live"
)


def _count_rows(table: str, soft_delete_column: str | None) -> None:
    """Count ``table``'s live rows (``soft_delete_column`` NULL, or all rows) into
    row_counts and install the triggers that keep the count exact. The table's name is
    quoted: it may be an SQL keyword (values, order...)."""
    _uncount_rows(table)
    column = soft_delete_column
    live = f"{column} IS NULL" if column else "1 = 1"
    op.execute(
        "INSERT INTO row_counts (table_name, slot, live)"  # noqa: S608
        f""" SELECT '{table}', 0, count(*) FROM "{table}" WHERE {live}"""
    )
    if op.get_bind().dialect.name == "postgresql":
        new = f"(SELECT count(*) FROM new_rows WHERE {live})"  # noqa: S608
        old = f"(SELECT count(*) FROM old_rows WHERE {live})"  # noqa: S608
        _pg_trigger(table, "insert", " REFERENCING NEW TABLE AS new_rows", new)
        _pg_trigger(table, "delete", " REFERENCING OLD TABLE AS old_rows", f"-{old}")
        if column:
            both = " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
            _pg_trigger(table, "update", both, f"{new} - {old}")
        _pg_trigger(table, "truncate", "", "")
    elif column:
        new = f"(NEW.{column} IS NULL)"
        old = f"(OLD.{column} IS NULL)"
        _sqlite_trigger(table, "insert", "INSERT", f" WHEN {new}", "1")
        _sqlite_trigger(table, "delete", "DELETE", f" WHEN {old}", "-1")
        _sqlite_trigger(table, "update", f"UPDATE OF {column}", f" WHEN {new} <> {old}",
                        f"{new} - {old}")  # fmt: skip
    else:
        _sqlite_trigger(table, "insert", "INSERT", "", "1")
        _sqlite_trigger(table, "delete", "DELETE", "", "-1")


def _pg_trigger(table: str, event: str, transition: str, delta: str) -> None:
    """A statement-level trigger on ``event`` adding ``delta`` to ``table``'s count
    (a TRUNCATE drops the count)."""
    name = f"{table}_count_{event}"
    function = _PG_TRUNCATED if event == "truncate" else _PG_COUNTER
    op.execute(function.format(name=name, table=table, delta=delta))
    op.execute(
        f'CREATE TRIGGER {name} AFTER {event.upper()} ON "{table}"{transition}'
        f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
    )


def _sqlite_trigger(table: str, event: str, on: str, condition: str, delta: str) -> None:
    """A row-level trigger on ``on`` (when ``condition`` holds) adding ``delta`` to
    ``table``'s count."""
    add = _SQLITE_ADD.format(table=table, delta=delta)
    op.execute(
        f'CREATE TRIGGER {table}_count_{event} AFTER {on} ON "{table}"{condition}'
        f" BEGIN {add}; END"
    )


def _uncount_rows(table: str) -> None:
    """Remove ``table``'s count triggers and its count."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for event in ("insert", "update", "delete", "truncate"):
        name = f"{table}_count_{event}"
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f' ON "{table}"' if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute(f"DELETE FROM row_counts WHERE table_name = '{table}'")  # noqa: S608
'''


def counting_helpers() -> str:
    """The module-level code a revision that counts or uncounts tables needs."""
    return _HELPERS


def reinstalled(
    before: Mapping[str, T],
    after: Mapping[str, T],
    *,
    renamed: dict[str, str] | None = None,
    touched: Iterable[str] = (),
) -> tuple[list[T], list[T]]:
    """What a revision removes and installs when a table's triggers (or index) are
    ``before`` and become ``after``, both keyed by the table's new name: each that
    changed, whose table was renamed (its triggers name it) or that the revision alters
    (SQLite rebuilds an altered table, losing its triggers) goes and comes back."""
    renamed = renamed or {}
    touched = set(touched)
    moved = {new for old, new in renamed.items() if old != new}
    kept = {
        name
        for name, value in after.items()
        if before.get(name) == value and name not in moved and name not in touched
    }
    stopped = [value for name, value in before.items() if name not in kept]
    started = [value for name, value in after.items() if name not in kept]
    return stopped, started


def _quoted(name: str | None) -> str:
    return "None" if name is None else f'"{name}"'


def _count(counted: Counted) -> str:
    return f"    _count_rows({_quoted(counted.table)}, {_quoted(counted.soft_delete_column)})"


def _uncount(table: str) -> str:
    return f"    _uncount_rows({_quoted(table)})"


@dataclass(frozen=True)
class AroundSchema:
    """Revision code around the schema operations (triggers, indexes the schema
    comparison does not see), and what it does in words."""

    before_upgrade: tuple[str, ...] = ()
    after_upgrade: tuple[str, ...] = ()
    before_downgrade: tuple[str, ...] = ()
    after_downgrade: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()


def count_changes(
    old: tuple[Counted, ...],
    new: tuple[Counted, ...],
    *,
    renamed: dict[str, str] | None = None,
    touched: Iterable[str] = (),
) -> AroundSchema:
    """The count triggers to remove and install when ``old``'s counted tables become
    ``new``'s.

    ``renamed`` maps old table names to new ones; ``touched`` names the (new) tables
    the revision alters. Their triggers are removed before and installed again after
    the schema operations, recounting the rows: SQLite rebuilds an altered table
    (losing its triggers), and a trigger names its table in its body.
    """
    before = {(renamed or {}).get(c.table, c.table): c for c in old}
    after = {c.table: c for c in new}
    stopped, started = reinstalled(before, after, renamed=renamed, touched=touched)
    up_first, up_last, down_first, down_last = [], [], [], []
    if not old and new:
        up_first.append(_CREATE_TABLE)
        down_last.append(_DROP_TABLE)
    if old and not new:
        up_last.append(_DROP_TABLE)
        down_first.append(_CREATE_TABLE)
    described = [f"count live rows of {c.table}" for c in started if c.table not in before]
    described += [
        f"stop counting rows of {c.table}" for name, c in before.items() if name not in after
    ]
    described += [
        f"recount live rows of {name}"
        for name, c in after.items()
        if name in before and before[name].soft_delete_column != c.soft_delete_column
    ]
    return AroundSchema(
        before_upgrade=(*up_first, *(_uncount(c.table) for c in stopped)),
        after_upgrade=(*(_count(c) for c in started), *up_last),
        before_downgrade=(*down_first, *(_uncount(c.table) for c in started)),
        after_downgrade=(*(_count(c) for c in stopped), *down_last),
        operations=tuple(described),
    )
