"""Full-text indexes: which tables get one, and the migration code that keeps them.

``search: [title, body]`` indexes those columns together, earlier ones weighing more.

- PostgreSQL: a stored generated column ``_search`` (``tsvector``: each column's words
  in the spec's language, weighted A, B, C, D in order) with a GIN index; a list with
  ``q`` keeps the rows whose vector matches ``plainto_tsquery`` of it, ranked by
  ``ts_rank``. The database keeps the column current on every write.
- SQLite: an FTS5 table ``_search_<table>`` over the table's content (no copy of the
  text), kept in step by triggers on insert, delete and an update of a searched column,
  ranked by BM25 with the same column weights; English stems with the Porter stemmer.
  FTS5 refers to rows by rowid, which ``VACUUM`` may renumber: the generated CLI's
  ``reindex`` rebuilds the index (the migrations rebuild it whenever they touch the
  table).

The revision code calls helpers (``_index_search``, ``_unindex_search``) defined in the
revision file itself, so an applied revision never changes when the generator does.
Names start with an underscore: no spec field or table can take them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backend_agent.design.blueprint import Table, TextSearch
from backend_agent.design.counts import AroundSchema, reinstalled
from backend_agent.spec.model import EntitySpec

__all__ = [
    "SEARCH_COLUMN",
    "SEARCH_SUFFIXES",
    "search_changes",
    "search_helpers",
    "search_table",
    "text_search",
]

SEARCH_COLUMN = "_search"  # PostgreSQL's generated tsvector column
# The FTS5 table of a SQLite index, and the tables FTS5 makes beside it.
SEARCH_SUFFIXES = ("", "_data", "_idx", "_docsize", "_config")


def search_table(table: str) -> str:
    """The name of ``table``'s FTS5 table on SQLite."""
    return f"_search_{table}"


def text_search(spec: EntitySpec) -> TextSearch | None:
    """The full-text index the entity asks for, if any."""
    if spec.search is None:
        return None
    return TextSearch(tuple(spec.search.fields), spec.search.language)


_HELPERS = '''
# Full-text search (app/repositories/search.py). PostgreSQL: a stored generated tsvector
# column with a GIN index, each column weighted by its place (A first). SQLite: an FTS5
# table over the table's own rows, kept in step by triggers, ranked by BM25 with the
# same weights. Table and column names are constants of this file, never input.
_WEIGHTS = "ABCD"


def _index_search(table: str, columns: tuple[str, ...], language: str) -> None:
    """Index ``columns`` of ``table`` for full-text search in ``language``."""
    _unindex_search(table)
    if op.get_bind().dialect.name == "postgresql":
        vector = " || ".join(
            f"setweight(to_tsvector('{language}'::regconfig, coalesce(\\"{column}\\", '')),"
            f" '{_WEIGHTS[min(place, 3)]}')"
            for place, column in enumerate(columns)
        )
        op.execute(
            # The vector reads this file's column names and language, never input.
            f'ALTER TABLE "{table}" ADD COLUMN _search tsvector'  # noqa: BA101
            f" GENERATED ALWAYS AS ({vector}) STORED"
        )
        op.execute(f'CREATE INDEX "_search_{table}" ON "{table}" USING gin (_search)')
        return
    index = f"_search_{table}"
    names = ", ".join(f'"{column}"' for column in columns)
    new = ", ".join(f'new."{column}"' for column in columns)
    old = ", ".join(f'old."{column}"' for column in columns)
    stemmer = "porter " if language == "english" else ""
    op.execute(
        f'CREATE VIRTUAL TABLE "{index}" USING fts5({names}, content="{table}",'
        f" tokenize='{stemmer}unicode61 remove_diacritics 2')"
    )
    add = f'INSERT INTO "{index}" (rowid, {names}) VALUES (new.rowid, {new});'  # noqa: S608
    drop = f'INSERT INTO "{index}" ("{index}", rowid, {names})'
    drop += f" VALUES ('delete', old.rowid, {old});"
    op.execute(f'CREATE TRIGGER "{index}_insert" AFTER INSERT ON "{table}" BEGIN {add} END')
    op.execute(f'CREATE TRIGGER "{index}_delete" AFTER DELETE ON "{table}" BEGIN {drop} END')
    op.execute(
        f'CREATE TRIGGER "{index}_update" AFTER UPDATE OF {names} ON "{table}"'
        f" BEGIN {drop} {add} END"
    )
    weights = ", ".join(str(float(max(4 - place, 1))) for place in range(len(columns)))
    control = f'INSERT INTO "{index}" ("{index}"'
    op.execute(f"{control}, rank) VALUES ('rank', 'bm25({weights})')")
    op.execute(f"{control}) VALUES ('rebuild')")


def _unindex_search(table: str) -> None:
    """Remove ``table``'s full-text index, if it has one."""
    index = f"_search_{table}"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'DROP INDEX IF EXISTS "{index}"')
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS _search')
        return
    for event in ("insert", "delete", "update"):
        op.execute(f'DROP TRIGGER IF EXISTS "{index}_{event}"')
    op.execute(f'DROP TABLE IF EXISTS "{index}"')
'''


def search_helpers() -> str:
    """The module-level code a revision that adds or removes full-text indexes needs."""
    return _HELPERS


def _index(table: str, search: TextSearch) -> str:
    columns = ", ".join(f'"{column}"' for column in search.columns)
    columns += "," if len(search.columns) == 1 else ""
    return f'    _index_search("{table}", ({columns}), "{search.language}")'


def _unindex(table: str) -> str:
    return f'    _unindex_search("{table}")'


@dataclass(frozen=True)
class _Indexed:
    table: str
    search: TextSearch


def search_changes(
    old: Iterable[Table],
    new: Iterable[Table],
    *,
    renamed: dict[str, str] | None = None,
    touched: Iterable[str] = (),
) -> AroundSchema:
    """The full-text indexes to remove and build when ``old``'s tables become ``new``'s.

    ``renamed`` maps old table names to new ones; ``touched`` names the (new) tables the
    revision alters: their indexes are removed before the schema operations and built
    again after (SQLite rebuilds an altered table, renumbering its rows; PostgreSQL
    cannot alter a column a generated column reads).
    """
    renamed = renamed or {}
    before = {renamed.get(t.name, t.name): _Indexed(t.name, t.search) for t in old if t.search}
    after = {t.name: _Indexed(t.name, t.search) for t in new if t.search}
    stopped, started = reinstalled(before, after, renamed=renamed, touched=touched)
    described = [f"index {i.table} for full-text search" for i in started if i.table not in before]
    described += [
        f"rebuild the full-text index of {i.table}"
        for i in started
        if i.table in before and before[i.table].search != i.search
    ]
    described += [f"drop the full-text index of {i.table}" for i in stopped if i.table not in after]
    return AroundSchema(
        before_upgrade=tuple(_unindex(i.table) for i in stopped),
        after_upgrade=tuple(_index(i.table, i.search) for i in started),
        before_downgrade=tuple(_unindex(i.table) for i in started),
        after_downgrade=tuple(_index(i.table, i.search) for i in stopped),
        operations=tuple(described),
    )
