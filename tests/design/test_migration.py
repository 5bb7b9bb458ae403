"""Migrations planned from a spec change apply to SQLite and PostgreSQL with rows kept."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from backend_agent.design import design
from backend_agent.design.blueprint import Blueprint
from backend_agent.design.migration import Renames, plan_migration, render_revision
from backend_agent.spec import load_spec_text
from tests.conftest import ROOT

BLOG = (ROOT / "examples" / "blog.yaml").read_text()


def blueprint(text: str) -> Blueprint:
    return design(load_spec_text(text))


def run_revision(code: str, engine: sa.Engine, step: str) -> None:
    namespace: dict[str, object] = {}
    exec(compile(code, "revision.py", "exec"), namespace)  # noqa: S102 - our own rendered revision
    with engine.begin() as connection:
        context = MigrationContext.configure(connection)
        with Operations.context(context):
            function = namespace[step]
            assert callable(function)
            function()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    else:
        database = request.getfixturevalue("postgres_database")
        url = database.replace("postgresql://", "postgresql+psycopg://")
    created = sa.create_engine(url)
    yield created
    created.dispose()


def seed(engine: sa.Engine) -> None:
    user, post, tag = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(
            sa.text("insert into users (id, email, password_hash) values (:id, 'a@b.c', 'x')"),
            {"id": user.hex if engine.dialect.name == "sqlite" else user},
        )
        native = engine.dialect.name != "sqlite"
        pairs = {"user": user, "post": post, "tag": tag}
        ids = {key: value if native else value.hex for key, value in pairs.items()}
        insert = (
            "insert into posts (id, title, status, owner_id) values (:post, 'Hi', 'draft', :user)"
        )
        connection.execute(sa.text(insert), ids)
        connection.execute(sa.text("insert into tags (id, name) values (:tag, 'x')"), ids)


def count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(f"select count(*) from {table}")).scalar_one())  # noqa: S608


def column_names(engine: sa.Engine, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table)}


Change = tuple[str, Callable[[str], str], Renames, Callable[[sa.Engine], None]]


def _has(table: str, column: str) -> Callable[[sa.Engine], None]:
    def check(engine: sa.Engine) -> None:
        assert column in column_names(engine, table)

    return check


BODY = "      body: {type: text, max_length: 20000}\n"
TITLE = "      title: {type: string,"


def edit(*pairs: tuple[str, str]) -> Callable[[str], str]:
    def apply(text: str) -> str:
        for old, new in pairs:
            assert old in text
            text = text.replace(old, new)
        return text

    return apply


def _tables(name: str) -> Callable[[sa.Engine], None]:
    def check(engine: sa.Engine) -> None:
        assert name in sa.inspect(engine).get_table_names()

    return check


def _index(table: str, name: str) -> Callable[[sa.Engine], None]:
    def check(engine: sa.Engine) -> None:
        assert name in {i["name"] for i in sa.inspect(engine).get_indexes(table)}

    return check


def _check_allows(table: str, name: str, value: str) -> Callable[[sa.Engine], None]:
    def check(engine: sa.Engine) -> None:
        checks = {c["name"]: c["sqltext"] for c in sa.inspect(engine).get_check_constraints(table)}
        assert f"'{value}'" in str(checks[name])

    return check


def _check(table: str, name: str) -> Callable[[sa.Engine], None]:
    def check(engine: sa.Engine) -> None:
        assert name in {c["name"] for c in sa.inspect(engine).get_check_constraints(table)}

    return check


def _lacks(table: str, column: str) -> Callable[[sa.Engine], None]:
    def check(engine: sa.Engine) -> None:
        assert column not in column_names(engine, table)

    return check


def _finds(table: str, word: str) -> Callable[[sa.Engine], None]:
    """The full-text index of ``table`` holds the rows (seeded before it existed)."""

    def check(engine: sa.Engine) -> None:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                query = f"select count(*) from {table} where _search @@ plainto_tsquery(:word)"  # noqa: S608
            else:
                query = f"select count(*) from _search_{table} where _search_{table} match :word"  # noqa: S608
            assert connection.execute(sa.text(query), {"word": word}).scalar_one() == 1

    return check


SEARCHED = (
    "    soft_delete: true\n  Comment:",
    "    soft_delete: true\n    search: [title, body]\n  Comment:",
)

CHANGES: list[Change] = [
    (
        "added entity",
        edit(("  Tag:\n", "  Category:\n    fields: {name: string}\n  Tag:\n")),
        Renames(),
        _tables("categories"),
    ),
    (
        "added field",
        edit((BODY, BODY + "      summary: {type: string, nullable: true}\n")),
        Renames(),
        _has("posts", "summary"),
    ),
    (
        "added required field with default",
        edit((BODY, BODY + "      views: {type: integer, default: 0}\n")),
        Renames(),
        _has("posts", "views"),
    ),
    (
        "renamed field",
        edit(
            (TITLE, "      heading: {type: string, renamed_from: title,"),
            ("created_at, title]", "created_at, heading]"),
        ),
        Renames(columns={("posts", "title"): "heading"}),
        _has("posts", "heading"),
    ),
    (
        "new index",
        edit((BODY, BODY + "      slug: {type: string, nullable: true, index: true}\n")),
        Renames(),
        _index("posts", "ix_posts_slug"),
    ),
    (
        "new many-to-many",
        edit(("      tags: {many_to_many: Tag}", "      tags: {many_to_many: Tag}\n"
              "      related: {many_to_many: Tag}")),
        Renames(),
        _tables("post_related"),
    ),
    ("removed field", edit((BODY, "")), Renames(), _lacks("posts", "body")),
    (
        "new rule between two fields",
        edit(
            (BODY, BODY + "      edited_at: {type: datetime, nullable: true}\n"),
            ("    soft_delete: true\n  Comment:", "    soft_delete: true\n"
             "    rules: [edited_at >= published_at, 'views >= 0']\n  Comment:"),
            (BODY, BODY + "      views: {type: integer, default: 0}\n"),
        ),
        Renames(),
        _check("posts", "ck_posts_edited_at_ge_published_at"),
    ),
    (
        "new unique group",
        edit(("    soft_delete: true\n  Comment:",
              "    soft_delete: true\n    unique_together: [[title, status]]\n  Comment:")),
        Renames(),
        _index("posts", "uq_posts_title_status"),
    ),
    (
        "new enum value",
        edit(("values: [draft, published]", "values: [draft, published, archived]")),
        Renames(),
        _check_allows("posts", "ck_posts_status", "archived"),
    ),
    ("new full-text search", edit(SEARCHED), Renames(), _finds("posts", "hi")),
    (
        "new full-text search on a table that changes",
        edit(SEARCHED, (BODY, BODY + "      summary: {type: string, nullable: true}\n")),
        Renames(),
        _finds("posts", "hi"),
    ),
]  # fmt: skip


@pytest.mark.parametrize("change", CHANGES, ids=[c[0] for c in CHANGES])
def test_change_upgrades_and_downgrades_keeping_rows(engine: sa.Engine, change: Change) -> None:
    _, edit, renames, check = change
    old, new = blueprint(BLOG), blueprint(edit(BLOG))
    initial = render_revision(
        plan_migration(None, old), revision="0001", down_revision=None, message="init"
    )
    plan = plan_migration(old, new, renames)
    assert not plan.empty
    assert not plan.blocked
    step = render_revision(plan, revision="0002", down_revision="0001", message="change")
    run_revision(initial, engine, "upgrade")
    seed(engine)
    run_revision(step, engine, "upgrade")
    check(engine)
    assert (count(engine, "posts"), count(engine, "users"), count(engine, "tags")) == (1, 1, 1)
    run_revision(step, engine, "downgrade")
    assert (count(engine, "posts"), count(engine, "users"), count(engine, "tags")) == (1, 1, 1)
    assert {c.name for c in old.entity("Post").table.columns} == column_names(engine, "posts")
    run_revision(step, engine, "upgrade")
    check(engine)


def test_renamed_values_survive(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    old = blueprint(BLOG)
    new = blueprint(edit((TITLE, "      heading: {type: string,"),
                         ("created_at, title]", "created_at, heading]"))(BLOG))  # fmt: skip
    initial = plan_migration(None, old)
    run_revision(render_revision(initial, revision="1", down_revision=None, message="i"), engine,
                 "upgrade")  # fmt: skip
    seed(engine)
    plan = plan_migration(old, new, Renames(columns={("posts", "title"): "heading"}))
    assert plan.operations[0] == "rename column posts.title -> heading"
    assert not plan.data_loss
    step = render_revision(plan, revision="2", down_revision="1", message="r")
    run_revision(step, engine, "upgrade")
    with engine.connect() as connection:
        assert connection.execute(sa.text("select heading from posts")).scalar_one() == "Hi"


def test_dropping_a_field_is_reported_as_data_loss() -> None:
    plan = plan_migration(blueprint(BLOG), blueprint(edit((BODY, ""))(BLOG)))
    assert plan.data_loss == ("drop column posts.body",)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (edit((BODY, BODY + "      rank: {type: integer, required: true}\n")),
         "posts.rank is required and has no default"),
        (edit((BODY, "      body: {type: integer}\n")),
         "posts.body changes type (TEXT -> INTEGER)"),
        (edit(("published_at: {type: datetime, nullable: true,",
               "published_at: {type: datetime, default: '2024-01-01T00:00:00Z',")),
         "posts.published_at becomes required"),
    ],
)  # fmt: skip
def test_unsafe_changes_are_blocked_with_a_reason(
    change: Callable[[str], str], reason: str
) -> None:
    plan = plan_migration(blueprint(BLOG), blueprint(change(BLOG)))
    assert any(reason in line for line in plan.blocked), plan.blocked


@pytest.mark.parametrize(
    "change",
    [
        edit((BODY, BODY + "      summary: {type: string, nullable: true}\n")),
        edit(("search: [title, body]", "search: {fields: [body, title], language: simple}")),
    ],
    ids=["table altered", "index changed"],
)
def test_a_full_text_index_is_rebuilt_when_its_table_or_its_fields_change(
    engine: sa.Engine, change: Callable[[str], str]
) -> None:
    searched = edit(SEARCHED)(BLOG)
    old, new = blueprint(searched), blueprint(change(searched))
    initial = plan_migration(None, old)
    run_revision(render_revision(initial, revision="1", down_revision=None, message="i"), engine,
                 "upgrade")  # fmt: skip
    seed(engine)
    _finds("posts", "hi")(engine)
    plan = plan_migration(old, new)
    assert any("full-text" in line for line in plan.operations) or "summary" in plan.upgrade
    step = render_revision(plan, revision="2", down_revision="1", message="r")
    for direction in ("upgrade", "downgrade", "upgrade"):
        run_revision(step, engine, direction)
        _finds("posts", "hi")(engine)
        # Its triggers are back too: a write after the migration is indexed.
        with engine.begin() as connection:
            connection.execute(sa.text("update posts set title = 'Walrus'"))
        _finds("posts", "walrus")(engine)
        with engine.begin() as connection:
            connection.execute(sa.text("update posts set title = 'Hi'"))


def test_same_spec_plans_nothing() -> None:
    assert plan_migration(blueprint(BLOG), blueprint(BLOG)).empty


def test_a_rule_the_rows_break_stops_the_migration_and_keeps_them(engine: sa.Engine) -> None:
    # A row already on the database whose two dates the new rule orders the other way.
    before = BLOG.replace(BODY, BODY + "      edited_at: {type: datetime, nullable: true}\n")
    after = before.replace(
        "    soft_delete: true\n  Comment:",
        "    soft_delete: true\n    rules: [edited_at >= published_at]\n  Comment:",
    )
    old, new = blueprint(before), blueprint(after)
    initial = render_revision(
        plan_migration(None, old), revision="1", down_revision=None, message="i"
    )
    step = render_revision(plan_migration(old, new), revision="2", down_revision="1", message="r")
    run_revision(initial, engine, "upgrade")
    seed(engine)
    with engine.begin() as connection:
        connection.execute(
            sa.text("update posts set published_at = :late, edited_at = :early"),
            {"late": "2024-05-01 00:00:00", "early": "2024-04-01 00:00:00"},
        )
    tables = set(sa.inspect(engine).get_table_names())
    with pytest.raises(sa.exc.IntegrityError):
        run_revision(step, engine, "upgrade")
    assert count(engine, "posts") == 1
    names = {c["name"] for c in sa.inspect(engine).get_check_constraints("posts")}
    assert "ck_posts_edited_at_ge_published_at" not in names
    assert set(sa.inspect(engine).get_table_names()) == tables
