"""What the project-wide templates substitute for full-text search: the initial
revision's index code, and the tables the indexes add beside the modelled ones."""

from __future__ import annotations

from dataclasses import dataclass

from backend_agent.design.blueprint import Blueprint
from backend_agent.design.search import (
    SEARCH_SUFFIXES,
    search_changes,
    search_helpers,
    search_table,
)

__all__ = ["SearchView", "search_view"]


@dataclass(frozen=True)
class SearchView:
    """The full-text indexes of a project."""

    helpers: str  # module-level code of the initial revision
    upgrade: tuple[str, ...]  # revision code after the tables are created
    downgrade: tuple[str, ...]  # revision code before the tables are dropped
    tables: tuple[str, ...]  # the indexed tables
    index_tables: tuple[str, ...]  # SQLite's FTS5 tables and the ones FTS5 makes beside

    @property
    def index_table_set(self) -> frozenset[str]:
        """:attr:`index_tables` as a set."""
        return frozenset(self.index_tables)


def search_view(blueprint: Blueprint) -> SearchView | None:
    """The project's full-text indexes; ``None`` when no entity searches."""
    tables = tuple(t.name for t in blueprint.tables if t.search is not None)
    if not tables:
        return None
    changes = search_changes((), blueprint.tables)
    return SearchView(
        helpers=search_helpers(),
        upgrade=changes.after_upgrade,
        downgrade=changes.before_downgrade,
        tables=tables,
        index_tables=tuple(
            search_table(table) + suffix for table in tables for suffix in SEARCH_SUFFIXES
        ),
    )
