"""The view model of the trigger-kept live-row counts: model, migration code, tests."""

from __future__ import annotations

from dataclasses import dataclass

from backend_agent.design.blueprint import Blueprint, Entity
from backend_agent.design.counts import count_changes, counting_helpers

__all__ = ["CascadeView", "CountedView", "CountsView", "counts_view"]


@dataclass(frozen=True)
class CountedView:
    """One counted table and the names its tests use."""

    table: str
    soft_delete_column: str | None
    module: str  # app.repositories.<module>
    plural: str  # list_<plural>
    factory: str  # tests.factories.create_<snake>
    default_sort: str
    owner: bool


@dataclass(frozen=True)
class CascadeView:
    """A counted child table whose rows go when their parent row is deleted."""

    child: CountedView
    parent_table: str
    column: str  # the child's foreign key to the parent


@dataclass(frozen=True)
class CountsView:
    """Everything the count templates substitute."""

    tables: tuple[CountedView, ...]
    helpers: str  # module-level code of the initial revision
    upgrade: tuple[str, ...]  # revision code after the tables are created
    downgrade: tuple[str, ...]  # revision code before the tables are dropped
    soft_deleted: CountedView | None  # the first counted table with soft delete
    cascade: CascadeView | None

    @property
    def columns(self) -> dict[str, str | None]:
        """Counted table -> its soft-delete column (``None``: every row is live)."""
        return {t.table: t.soft_delete_column for t in self.tables}

    @property
    def first(self) -> CountedView:
        """The counted table the list tests read through its repository."""
        return self.tables[0]


def _counted_view(entity: Entity, column: str | None) -> CountedView:
    return CountedView(
        table=entity.table.name,
        soft_delete_column=column,
        module=entity.snake,
        plural=entity.plural,
        factory=f"create_{entity.snake}",
        default_sort=entity.default_sort,
        owner=entity.owner,
    )


def _cascade(blueprint: Blueprint, tables: tuple[CountedView, ...]) -> CascadeView | None:
    """A counted child of another entity's table with ON DELETE CASCADE, if any."""
    by_table = {e.table.name: e for e in blueprint.entities}
    for view in tables:
        for column in by_table[view.table].table.foreign_keys:
            key = column.foreign_key
            # A key to its own table is left out: its factory rows have no parent
            # (the first row cannot), so deleting "their parents" would delete nothing;
            # so is an optional key, which the factories leave empty.
            if (
                key is not None
                and key.on_delete == "CASCADE"
                and key.table in by_table
                and key.table != view.table
                and not column.nullable
            ):
                return CascadeView(view, key.table, column.name)
    return None


def counts_view(blueprint: Blueprint) -> CountsView | None:
    """The counts of ``blueprint``'s project; ``None`` when no table is counted."""
    if not blueprint.counted:
        return None
    by_table = {e.table.name: e for e in blueprint.entities}
    tables = tuple(
        _counted_view(by_table[c.table], c.soft_delete_column) for c in blueprint.counted
    )
    changes = count_changes((), blueprint.counted)
    return CountsView(
        tables=tables,
        helpers=counting_helpers(),
        upgrade=changes.before_upgrade + changes.after_upgrade,
        downgrade=changes.before_downgrade + changes.after_downgrade,
        soft_deleted=next((t for t in tables if t.soft_delete_column), None),
        cascade=_cascade(blueprint, tables),
    )
