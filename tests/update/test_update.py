"""update: a tiny project is built, edited as a user would, then updated (copier style)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from backend_agent.errors import SpecError
from backend_agent.pipeline import BASE, build
from backend_agent.update import UpdateError, apply_update, plan_update

SPEC = """\
name: notes
title: Notes API
auth: {roles: [admin, member], default_role: member}
entities:
  Note:
    owner: true
    fields:
      title: {type: string, max_length: 120, required: true}
      body: {type: text, nullable: true}
    filters: [title]
    sort: [title, created_at]
  Label:
    fields:
      name: {type: string, max_length: 40, unique: true, required: true}
    permissions: {list: anyone, read: anyone, create: authenticated, update: [admin], delete: [admin]}
"""
BODY = "      body: {type: text, nullable: true}\n"


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    spec = tmp_path / "notes.yaml"
    spec.write_text(SPEC)
    build(spec, tmp_path / "notes", run_verify=False)
    return tmp_path / "notes"


def new_spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "edited.yaml"
    path.write_text(text)
    return path


def update(project: Path, spec: Path, **options: bool) -> tuple[list[str], list[str]]:
    plan = plan_update(project, spec_path=spec, **options)
    apply_update(plan)
    return [f"{c.action} {c.path}" for c in plan.changes], list(plan.migration.operations)


def test_unchanged_spec_changes_nothing(project: Path, tmp_path: Path) -> None:
    before = tree_digest(project)
    changes, operations = update(project, new_spec(tmp_path, SPEC))
    assert (changes, operations) == ([], [])
    assert tree_digest(project) == before


def test_user_edit_survives_a_change_to_the_same_file(project: Path, tmp_path: Path) -> None:
    schemas = next((project / "app" / "schemas").glob("note*.py"))
    text = schemas.read_text()
    schemas.write_text(
        text + "\n\n# Kept by the user: the house style for note titles.\nSTYLE = 1\n"
    )
    spec = new_spec(
        tmp_path, SPEC.replace(BODY, BODY + "      pinned: {type: boolean, default: false}\n")
    )
    changes, operations = update(project, spec)
    merged = schemas.read_text()
    assert "STYLE = 1" in merged
    assert "pinned" in merged
    assert f"merged app/schemas/{schemas.name}" in changes
    assert "add column notes.pinned" in operations


def test_a_true_conflict_gets_markers_and_a_failing_exit(project: Path, tmp_path: Path) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("Notes API", "Our notes service", 1))
    spec = new_spec(tmp_path, SPEC.replace("title: Notes API", "title: Notebook API"))
    result = subprocess.run(
        [sys.executable, "-m", "backend_agent", "update", str(project), "--spec", str(spec),
         "--no-verify"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "README.md" in result.stdout + result.stderr
    text = readme.read_text()
    assert "<<<<<<< yours: README.md" in text
    assert "Our notes service" in text
    assert "Notebook API" in text
    assert ">>>>>>> generated now" in text


def test_deleted_files_stay_deleted_and_added_files_are_untouched(
    project: Path, tmp_path: Path
) -> None:
    (project / "Dockerfile").unlink()
    mine = project / "app" / "my_module.py"
    mine.write_text("VALUE = 1\n")
    spec = new_spec(tmp_path, SPEC.replace("title: Notes API", "title: Notebook API"))
    changes, _ = update(project, spec)
    assert not (project / "Dockerfile").exists()
    assert "added Dockerfile" not in changes
    assert mine.read_text() == "VALUE = 1\n"


def test_dry_run_writes_nothing(project: Path, tmp_path: Path) -> None:
    before = tree_digest(project)
    spec = new_spec(
        tmp_path, SPEC.replace(BODY, BODY + "      pinned: {type: boolean, default: false}\n")
    )
    result = subprocess.run(
        [sys.executable, "-m", "backend_agent", "update", str(project), "--spec", str(spec),
         "--dry-run"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "add column notes.pinned" in result.stdout
    assert tree_digest(project) == before


def test_invalid_spec_writes_nothing(project: Path, tmp_path: Path) -> None:
    before = tree_digest(project)
    with pytest.raises(SpecError):
        plan_update(project, spec_path=new_spec(tmp_path, SPEC.replace("type: text", "type: txt")))
    assert tree_digest(project) == before


def test_dropping_data_needs_an_explicit_instruction(project: Path, tmp_path: Path) -> None:
    before = tree_digest(project)
    spec = new_spec(tmp_path, SPEC.replace(BODY, ""))
    with pytest.raises(UpdateError, match=re.escape("would delete data: drop column notes.body")):
        plan_update(project, spec_path=spec)
    assert tree_digest(project) == before
    _, operations = update(project, spec, allow_drop=True)
    assert operations == ["drop column notes.body"]


def test_a_required_field_without_default_is_refused(project: Path, tmp_path: Path) -> None:
    spec = new_spec(
        tmp_path, SPEC.replace(BODY, BODY + "      rank: {type: integer, required: true}\n")
    )
    with pytest.raises(UpdateError, match=re.escape("notes.rank is required and has no default")):
        plan_update(project, spec_path=spec)


def test_an_older_template_version_updates_with_user_edits_kept(project: Path) -> None:
    """Simulate a project made by older templates: its README lacked a section."""
    readme = project / "README.md"
    current = readme.read_text()
    marker = current.index("\n## ", current.index("\n## ") + 1)
    older = current[:marker] + "\n"
    base = json.loads((project / BASE).read_text())
    base["README.md"] = older
    (project / BASE).write_text(json.dumps(base))
    readme.write_text(older.replace("Notes API", "Notes API (ours)", 1))
    plan = plan_update(project)
    apply_update(plan)
    text = readme.read_text()
    assert "Notes API (ours)" in text
    assert text.endswith(current[marker:])
    assert plan.migration.empty


def test_an_older_project_gets_the_service_tables_it_lacks(project: Path) -> None:
    """Simulate a project made before the audit log and idempotency keys existed."""
    base = json.loads((project / BASE).read_text())
    initial = "migrations/versions/0001_initial.py"
    for table in ("audit_log", "idempotency_keys"):
        base[initial] = base[initial].replace(f'"{table}"', '"not_yet"')
    (project / BASE).write_text(json.dumps(base))
    plan = plan_update(project)
    created = " ".join(plan.migration.operations)
    assert "audit_log" in created
    assert "idempotency_keys" in created
    assert plan.revision_file == "migrations/versions/0002_spec_update.py"


def test_a_project_from_before_refresh_token_rotation_moves_its_schema(project: Path) -> None:
    """Simulate a project whose sessions held the refresh token digest themselves."""
    base = json.loads((project / BASE).read_text())
    initial = "migrations/versions/0001_initial.py"
    old = base[initial].replace('"refresh_tokens"', '"not_yet"')
    base[initial] = old.replace(
        '"sessions",\n', '"sessions",\n        sa.Column("refresh_token_hash", sa.String(64)),\n', 1
    )
    (project / BASE).write_text(json.dumps(base))

    with pytest.raises(UpdateError, match="refresh_token_hash"):
        plan_update(project)
    plan = plan_update(project, allow_drop=True)
    done = " | ".join(plan.migration.operations)
    assert "refresh_tokens" in done
    assert "sessions.refresh_token_hash" in " ".join(plan.migration.data_loss)
    assert "refresh_token_hash" in plan.migration.downgrade


# -- migrations on real databases, with rows ------------------------------------------------

RULED_FIELDS = (
    "      status: {type: enum, values: [open, done], default: open}\n"
    "      starts_on: {type: date, nullable: true}\n"
    "      ends_on: {type: date, nullable: true}\n"
)
RULED = (
    "    transitions: {status: {finish: {from: open, to: done}}}\n"
    "    rules: [ends_on >= starts_on]\n"
    "    unique_together: [[title, owner]]\n"
)

CHANGES = {
    "added entity": (SPEC + "  Folder:\n    fields: {name: string}\n", "folders", False),
    "added field": (SPEC.replace(BODY, BODY + "      color: {type: string, nullable: true}\n"), "notes.color", False),
    "removed field": (SPEC.replace(BODY, ""), "-notes.body", True),
    "renamed field": (SPEC.replace("      title: {type: string,", "      heading: {type: string, renamed_from: title,")
                      .replace("filters: [title]", "filters: [heading]").replace("sort: [title,", "sort: [heading,"),
                      "notes.heading", False),
    "new index": (SPEC.replace(BODY, BODY + "      slug: {type: string, nullable: true, index: true}\n"), "notes.slug", False),
    "new many-to-many": (SPEC.replace("    filters: [title]\n", "    relations: {labels: {many_to_many: Label}}\n    filters: [title]\n"),
                         "note_labels", False),
    "new transition, rule and group": (SPEC.replace(BODY, BODY + RULED_FIELDS).replace(
        "    sort: [title, created_at]\n", "    sort: [title, created_at]\n" + RULED), "notes.status", False),
}  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(async URL for the project, sync URL for the test) of an empty database."""
    if request.param == "sqlite":
        path = tmp_path / "notes.db"
        yield f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
        yield (url.replace("postgresql://", "postgresql+asyncpg://"),
               url.replace("postgresql://", "postgresql+psycopg://"))  # fmt: skip


def alembic(project: Path, url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run([sys.executable, "-m", "alembic", *args], cwd=project, env=env,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_migration_keeps_rows(
    project: Path, tmp_path: Path, database: tuple[str, str], change: str
) -> None:
    text, expected, allow_drop = CHANGES[change]
    project_url, test_url = database
    alembic(project, project_url, "upgrade", "head")
    engine = sa.create_engine(test_url)
    native = engine.dialect.name != "sqlite"
    user, note = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(
            sa.text("insert into users (id, email, password_hash) values (:u, 'a@b.c', 'x')"),
            {"u": user if native else user.hex},
        )
        connection.execute(sa.text("insert into notes (id, title, owner_id) values (:n, 'kept', :u)"),
                           {"n": note if native else note.hex, "u": user if native else user.hex})  # fmt: skip
    update(project, new_spec(tmp_path, text), allow_drop=allow_drop)
    alembic(project, project_url, "upgrade", "head")
    inspector = sa.inspect(engine)
    table, _, column = expected.lstrip("-").partition(".")
    if expected.startswith("-"):
        assert column not in {c["name"] for c in inspector.get_columns(table)}
    elif column:
        assert column in {c["name"] for c in inspector.get_columns(table)}
    else:
        assert table in inspector.get_table_names()
    title = "heading" if change == "renamed field" else "title"
    with engine.connect() as connection:
        assert connection.execute(sa.text(f"select {title} from notes")).scalars().all() == ["kept"]  # noqa: S608
    alembic(project, project_url, "downgrade", "-1")
    with engine.connect() as connection:
        assert connection.execute(sa.text("select title from notes")).scalars().all() == ["kept"]
    alembic(project, project_url, "upgrade", "head")
    engine.dispose()


def test_a_new_search_finds_the_rows_already_there(
    project: Path, tmp_path: Path, database: tuple[str, str]
) -> None:
    """``update`` adding full-text search (and cursor pages) to an entity with rows: the
    migration indexes what is there, and takes the index away again on downgrade."""
    project_url, test_url = database
    alembic(project, project_url, "upgrade", "head")
    engine = sa.create_engine(test_url)
    native = engine.dialect.name != "sqlite"
    user = uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(
            sa.text("insert into users (id, email, password_hash) values (:u, 'a@b.c', 'x')"),
            {"u": user if native else user.hex},
        )
        for title, body in (("kept words", "walrus"), ("quokka", "marmot")):
            note = uuid.uuid4()
            connection.execute(
                sa.text("insert into notes (id, title, body, owner_id) values (:n, :t, :b, :u)"),
                {"n": note if native else note.hex, "t": title, "b": body,
                 "u": user if native else user.hex},
            )  # fmt: skip
    searched = SPEC.replace(
        "    sort: [title, created_at]\n",
        "    sort: [title, created_at]\n    search: [title, body]\n    pagination: cursor\n",
    )
    update(project, new_spec(tmp_path, searched))
    alembic(project, project_url, "upgrade", "head")
    query = (
        "select title from notes where _search @@ plainto_tsquery('english', :q) order by title"
        if native
        else "select title from notes where rowid in "
        "(select rowid from _search_notes where _search_notes match :q) order by title"
    )
    with engine.connect() as connection:
        assert connection.execute(sa.text(query), {"q": "walrus"}).scalars().all() == ["kept words"]
        assert connection.execute(sa.text(query), {"q": "quokka"}).scalars().all() == ["quokka"]
    alembic(project, project_url, "downgrade", "-1")
    inspector = sa.inspect(engine)
    assert "_search" not in {c["name"] for c in inspector.get_columns("notes")}
    assert "_search_notes" not in inspector.get_table_names()
    engine.dispose()


def test_json_output_is_the_plan_and_what_was_done(project: Path, tmp_path: Path) -> None:
    spec = new_spec(
        tmp_path, SPEC.replace(BODY, BODY + "      pinned: {type: boolean, default: false}\n")
    )
    before = tree_digest(project)
    command = [sys.executable, "-m", "backend_agent", "update", str(project), "--spec", str(spec)]
    planned = subprocess.run(
        [*command, "--dry-run", "--json"], capture_output=True, text=True, check=False
    )
    assert planned.returncode == 0, planned.stderr
    document = json.loads(planned.stdout)  # stdout holds the JSON object and nothing else
    assert document["applied"] is False
    assert document["delivery"] is None
    assert document["plan"]["migration"]["operations"] == ["add column notes.pinned"]
    assert {"path": "app/models/note.py", "action": "updated", "note": ""} in document["plan"][
        "changes"
    ]
    assert tree_digest(project) == before
    applied = subprocess.run(
        [*command, "--no-verify", "--json"], capture_output=True, text=True, check=False
    )
    assert applied.returncode == 0, applied.stderr
    document = json.loads(applied.stdout)
    assert document["applied"] is True
    assert document["plan"]["conflicts"] == []
    assert (project / str(document["plan"]["migration"]["file"])).is_file()


def test_the_owners_hooks_are_kept_byte_for_byte(project: Path, tmp_path: Path) -> None:
    hooks = project / "app" / "domain" / "note.py"
    default = '    """Before a new note is inserted; ``change.values`` may be edited."""\n'
    text = hooks.read_text()
    assert default in text
    mine = text.replace(
        default, default + '    change.values["title"] = change.values["title"].strip()\n'
    )
    hooks.write_bytes(mine.encode() + b"\r\n# house rule: titles are trimmed\r\n")
    kept = hooks.read_bytes()
    (project / "app" / "domain" / "label.py").unlink()
    edited = (
        CHANGES["new transition, rule and group"][0] + "  Folder:\n    fields: {name: string}\n"
    )
    changes, operations = update(project, new_spec(tmp_path, edited))
    assert hooks.read_bytes() == kept
    assert "added app/domain/folder.py" in changes
    assert "added app/domain/label.py" in changes  # deleted: the service needs it again
    assert not any("domain/note.py" in change for change in changes)
    done = " | ".join(operations)
    assert "ck_notes_ends_on_ge_starts_on" in done
    assert "uq_notes_title_owner_id" in done


def test_an_action_added_later_asks_for_its_handler(project: Path, tmp_path: Path) -> None:
    hooks = project / "app" / "domain" / "note.py"
    kept = hooks.read_bytes()
    edited = SPEC.replace("    sort: [title, created_at]\n", "    sort: [title, created_at]\n"
                          "    actions: {archive: {}}\n")  # fmt: skip
    plan = plan_update(project, spec_path=new_spec(tmp_path, edited))
    apply_update(plan)
    assert hooks.read_bytes() == kept
    notes = {c.path: c.note for c in plan.changes if c.action == "kept"}
    assert notes["app/domain/note.py"] == (
        "add async def archive(action: ActionCall): until then it answers 501"
    )
    assert '"archive"' in (project / "app" / "services" / "note.py").read_text()
