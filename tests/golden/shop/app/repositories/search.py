"""Full-text search in SQL: whether a row matches the words of ``q``, and how well.

The index behind it is the migrations' (``_index_search``):

- PostgreSQL: the stored generated column ``_search`` (a ``tsvector``, each searched
  column weighted by its place) under a GIN index. A row matches when its vector holds
  ``plainto_tsquery`` of the words; the rank is ``ts_rank``, best first.
- SQLite: the FTS5 table ``_search_<table>``, kept in step with the table by triggers.
  A row matches when the FTS5 query of the words (each one quoted, so none is
  syntax) finds its rowid; the rank is BM25 with the same weights, best first.

Both are SQL expressions compiled for the connection's database, so one statement
built once serves either (and the fast path's reads compile it like any other).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement, Float, Table, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

__all__ = ["Index", "Match", "Rank"]


class _Search(ColumnElement[Any]):
    """An expression of one table's index and the words searched for."""

    inherit_cache = True
    # What its cache key is made of (SQLAlchemy's own declaration).
    _traverse_internals = [  # noqa: RUF012
        ("table", InternalTraversal.dp_clauseelement),
        ("language", InternalTraversal.dp_string),
        ("words", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, table: Table, language: str, words: ColumnElement[Any]) -> None:
        self.table = table
        self.language = language
        self.words = words


class Match(_Search):
    """True for the rows that hold every word."""

    inherit_cache = True
    type = Boolean()


class Rank(_Search):
    """How well a row matches: lower is better, so an ascending order puts the best first."""

    inherit_cache = True
    type = Float()


class Index:
    """The full-text index of ``table``: the ``q`` filter's comparison and the rank."""

    def __init__(self, table: Table, language: str) -> None:
        self.table = table
        self.language = language

    def match(self, column: Any, words: Any) -> ColumnElement[bool]:
        """The filter of ``q`` (a filter's comparison: ``column`` is the table's id)."""
        return Match(self.table, self.language, _value(words))

    def rank(self, words: Any) -> ColumnElement[Any]:
        """The relevance order's key for ``words`` (a value or a bound parameter)."""
        return Rank(self.table, self.language, _value(words))


def _value(words: Any) -> ColumnElement[Any]:
    return words if isinstance(words, ColumnElement) else literal(words)


def _parts(element: _Search, compiler: SQLCompiler, **kw: Any) -> tuple[str, str, str]:
    table = compiler.preparer.format_table(element.table)
    index = compiler.preparer.quote(f"_search_{element.table.name}")
    return table, index, compiler.process(element.words, **kw)


def _tsquery(element: _Search, words: str) -> str:
    return f"plainto_tsquery('{element.language}'::regconfig, {words})"


def _phrases(words: str) -> str:
    # Each word a quoted FTS5 string: the words hold only letters and digits.
    return f"""('"' || replace({words}, ' ', '" "') || '"')"""


@compiles(Match, "postgresql")
def _match_postgresql(element: Match, compiler: SQLCompiler, **kw: Any) -> str:
    table, _, words = _parts(element, compiler, **kw)
    return f"{table}._search @@ {_tsquery(element, words)}"


@compiles(Rank, "postgresql")
def _rank_postgresql(element: Rank, compiler: SQLCompiler, **kw: Any) -> str:
    table, _, words = _parts(element, compiler, **kw)
    return f"-ts_rank({table}._search, {_tsquery(element, words)})"


@compiles(Match, "sqlite")
def _match_sqlite(element: Match, compiler: SQLCompiler, **kw: Any) -> str:
    table, index, words = _parts(element, compiler, **kw)
    # The words are a bound parameter; the names are the table's.
    matches = f"SELECT rowid FROM {index} WHERE {index} MATCH {_phrases(words)}"  # noqa: S608
    return f"{table}.rowid IN ({matches})"


@compiles(Rank, "sqlite")
def _rank_sqlite(element: Rank, compiler: SQLCompiler, **kw: Any) -> str:
    table, index, words = _parts(element, compiler, **kw)
    return (
        f"(SELECT {index}.rank FROM {index} WHERE {index} MATCH {_phrases(words)}"  # noqa: S608
        f" AND {index}.rowid = {table}.rowid)"
    )
