"""The design stage: deterministic blueprints, valid OpenAPI, DDL that applies."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg
import pytest
from openapi_spec_validator import validate

from backend_agent.design import architecture_markdown, ddl, design, openapi_document
from backend_agent.spec import load_spec, load_spec_text
from tests.conftest import EXAMPLES

BLOG = Path(__file__).resolve().parents[2] / "examples" / "blog.yaml"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_same_spec_same_blueprint(path: Path) -> None:
    assert design(load_spec(path)) == design(load_spec(path))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_openapi_document_validates(path: Path) -> None:
    validate(openapi_document(design(load_spec(path))))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_sqlite_ddl_applies(path: Path, tmp_path: Path) -> None:
    blueprint = design(load_spec(path))
    with sqlite3.connect(tmp_path / "schema.db") as connection:
        connection.executescript(ddl(blueprint, "sqlite"))
        tables = {row[0] for row in connection.execute("select name from sqlite_master")}
    assert {t.name for t in blueprint.tables} <= tables


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_postgresql_ddl_applies(path: Path, postgres_database: str) -> None:
    blueprint = design(load_spec(path))

    async def apply() -> set[str]:
        connection = await asyncpg.connect(postgres_database)
        try:
            await connection.execute(ddl(blueprint, "postgresql"))
            rows = await connection.fetch(
                "select tablename from pg_tables where schemaname='public'"
            )
        finally:
            await connection.close()
        return {row["tablename"] for row in rows}

    assert asyncio.run(apply()) == {t.name for t in blueprint.tables}


def test_every_foreign_key_filter_and_sort_column_is_indexed() -> None:
    blueprint = design(load_spec(BLOG))
    for entity in blueprint.entities:
        indexed = {i.columns[0] for i in entity.table.indexes}
        wanted = (
            {c.name for c in entity.table.foreign_keys} | set(entity.filters) | set(entity.sort)
        )
        assert wanted <= indexed, entity.name


def test_many_to_many_gets_a_junction_table_with_cascading_keys() -> None:
    blueprint = design(load_spec(BLOG))
    (junction,) = blueprint.junctions
    assert junction.table.name == "post_tags"
    assert junction.table.primary_key == ("post_id", "tag_id")
    assert {
        (c.name, c.foreign_key.table, c.foreign_key.on_delete)
        for c in junction.table.foreign_keys
        if c.foreign_key
    } == {("post_id", "posts", "CASCADE"), ("tag_id", "tags", "CASCADE")}


def test_routes_cover_crud_nested_and_many_to_many() -> None:
    blueprint = design(load_spec(BLOG))
    routes = {(r.method, r.path): r for r in blueprint.routes}
    assert routes[("POST", "/api/v1/posts")].status == 201
    assert routes[("DELETE", "/api/v1/posts/{id}")].status == 204
    assert routes[("GET", "/api/v1/posts/{post_id}/comments")].action == "list_nested"
    assert routes[("PUT", "/api/v1/posts/{id}/tags/{tag_id}")].action == "link"
    assert routes[("POST", "/api/v1/auth/login")].rule.kind == "anyone"
    assert routes[("GET", "/api/v1/auth/me")].rule.needs_user


@pytest.mark.parametrize(
    ("permission", "kind", "roles"),
    [
        ("anyone", "anyone", ()),
        ("authenticated", "authenticated", ()),
        ("owner", "owner", ()),
        ("owner_or_admin", "owner_or_roles", ("admin",)),
        ("[admin, user]", "roles", ("admin", "user")),
    ],
)
def test_permissions_become_rules(permission: str, kind: str, roles: tuple[str, ...]) -> None:
    spec = load_spec_text(
        f"name: a\nentities:\n  Note:\n    owner: true\n    fields: {{x: string}}\n"
        f"    permissions: {{update: {permission}}}\n"
    )
    rule = design(spec).entity("Note").permissions["update"]
    assert (rule.kind, rule.roles) == (kind, roles)


def test_owned_entities_default_to_owner_or_admin_writes() -> None:
    spec = load_spec_text("name: a\nentities:\n  Note:\n    owner: true\n    fields: {x: string}\n")
    rules = design(spec).entity("Note").permissions
    assert (rules["delete"].kind, rules["delete"].roles) == ("owner_or_roles", ("admin",))
    assert rules["list"].kind == "authenticated"


def test_architecture_has_er_diagram_and_decisions() -> None:
    text = architecture_markdown(design(load_spec(BLOG)))
    assert "```mermaid\nerDiagram" in text
    assert 'posts ||--|{ comments : "post_id"' in text
    assert "### 1. Deployment shape" in text
    assert "**Choice:** A modular monolith" in text


def test_each_hand_written_part_is_weighed_against_its_library() -> None:
    with_jobs = design(load_spec(BLOG))
    (decision,) = [d for d in with_jobs.decisions if d.title == "Hand-written or library"]
    parts = [reason.split(" (", 1)[0] for reason in decision.reasons]
    assert parts == [
        "Rate limiter",
        "Read cache",
        "JSON logging with redaction",
        "Request id and security headers",
        "Default job queue",
    ]
    for library in ("limits 5.8", "cashews 7.6", "structlog 26.1", "asgi-correlation-id 5.0"):
        assert library in " ".join(decision.reasons)
    assert "procrastinate 3.10" in decision.reasons[-1]
    assert "no switch is pending" in decision.alternatives[0]
    assert "### 8. Hand-written or library" in architecture_markdown(with_jobs)
    spec = load_spec_text("name: a\nentities:\n  Note:\n    fields: {x: string}\n")
    without_jobs = design(spec)
    (plain,) = [d for d in without_jobs.decisions if d.title == "Hand-written or library"]
    assert len(plain.reasons) == 4
    assert "job" not in plain.choice
    assert "procrastinate" not in " ".join(plain.alternatives)


def test_creating_a_row_needs_a_caller_who_becomes_its_owner() -> None:
    # Campaign seed 1210, spec 031: Note {owner: true, create: anyone}. The route needed a
    # user to own the row but let an anonymous caller's body be validated first (422 told
    # them what a note looks like, where 401 was due), and the document said no token.
    text = (
        "name: a\nauth: {roles: [a, b]}\nentities:\n"
        "  Note:\n    owner: true\n    fields: {x: string}\n    permissions: {create: anyone}\n"
        "  Memo:\n    fields: {x: string}\n    permissions: {create: anyone}\n"
        # Campaign seed 1210, spec 039: create: owner let no account seed rows (the probe
        # plan read it as "owners only"); the creator is the new row's owner.
        "  Key:\n    owner: true\n    fields: {x: string}\n    permissions: {create: owner}\n"
        "  Pad:\n    owner: true\n    fields: {x: string}\n    permissions: {create: owner_or_a}\n"
    )
    blueprint = design(load_spec_text(text, "a.yaml"))
    rules = {e.name: e.permissions["create"].kind for e in blueprint.entities}
    assert rules == {
        "Note": "authenticated",
        "Memo": "anyone",
        "Key": "authenticated",
        "Pad": "authenticated",
    }
    paths = openapi_document(blueprint)["paths"]
    assert paths["/api/v1/notes"]["post"]["security"] == [{"bearerAuth": []}]
    assert paths["/api/v1/memos"]["post"]["security"] == [{}, {"bearerAuth": []}]  # optional
