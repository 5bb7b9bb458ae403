"""The generated full-text search on drawn text, on SQLite and PostgreSQL: any ``q`` the
query model accepts runs without a database error, and a row holding its words is
found, ranked above a row holding fewer of them.

The platform files (app/schemas/search.py, app/repositories/search.py) and the
revision helpers (design/search.py) are loaded as the generated project holds them.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_agent.design.search import search_helpers
from tests.conftest import ROOT

PLATFORM = ROOT / "src" / "backend_agent" / "generate" / "platform" / "app"


def _load(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


query_words = _load("generated_search_schema", PLATFORM / "schemas" / "search.py").words
index_sql = _load("generated_search_sql", PLATFORM / "repositories" / "search.py")

metadata = sa.MetaData()
notes = sa.Table(
    "order",  # an SQL keyword: every name is quoted where it must be
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(200)),
    sa.Column("body", sa.Text, nullable=True),
)
INDEX = index_sql.Index(notes, "english")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_database").replace(
            "postgresql://", "postgresql+psycopg://"
        )
    created = sa.create_engine(url)
    metadata.create_all(created)
    namespace: dict[str, Any] = {}
    exec(search_helpers(), namespace)  # noqa: S102 - the revision's own helper code
    with created.begin() as connection:
        context = MigrationContext.configure(connection)
        with Operations.context(context) as op:
            namespace["op"] = op
            namespace["_index_search"]("order", ("title", "body"), "english")
    yield created
    created.dispose()


def _search(connection: sa.Connection, words: str) -> list[int]:
    query = (
        sa.select(notes.c.id)
        .where(INDEX.match(notes.c.id, sa.bindparam("q")))
        .order_by(INDEX.rank(sa.bindparam("q")), notes.c.id)
    )
    return [row.id for row in connection.execute(query, {"q": words})]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=60), extra=st.text(alphabet="abcdefghij ", max_size=20))
def test_any_accepted_q_runs_and_finds_a_row_holding_its_words(
    engine: sa.Engine, text: str, extra: str
) -> None:
    try:
        words = query_words(text)
    except ValueError:
        assert not any(c.isalnum() for c in text)
        return
    assert "  " not in words
    assert words == words.strip()
    with engine.begin() as connection:
        connection.execute(sa.delete(notes))
        # Row 1 holds every word twice; row 2 once, among other words; row 3 none.
        connection.execute(
            sa.insert(notes),
            [
                {"id": 1, "title": f"{words} {words}", "body": None},
                {"id": 2, "title": f"{extra} zzz", "body": f"{words} qqq {extra}"},
                {"id": 3, "title": "zzz", "body": "qqq"},
            ],
        )
        found = _search(connection, words)
    # PostgreSQL drops English stop words ("the", "a"): a q of stop words only finds
    # nothing there. Otherwise the rows holding every word come best first.
    if found:
        assert found[0] == 1
        assert 3 not in found
    elif engine.dialect.name == "sqlite":
        pytest.fail(f"SQLite found no row for {words!r}")


@pytest.mark.parametrize("q", ["a OR b", "NOT x", "title:x", "x*", "(x", 'say "hi', "NEAR(a b)"])
def test_query_syntax_is_words_only(engine: sa.Engine, q: str) -> None:
    with engine.begin() as connection:
        connection.execute(sa.delete(notes))
        connection.execute(sa.insert(notes), [{"id": 1, "title": q, "body": None}])
        assert _search(connection, query_words(q)) in ([1], [])
