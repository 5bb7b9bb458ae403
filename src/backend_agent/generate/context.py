"""The view model of a whole project: the blueprint, translated into names and code."""

from __future__ import annotations

from dataclasses import dataclass

from backend_agent.design.blueprint import AuthDesign, Blueprint
from backend_agent.generate.entities import EntityView, entity_view
from backend_agent.generate.tables import TableView, table_view
from backend_agent.generate.testdata import SuitePlan, suite_plan

__all__ = ["RESERVED_MODULES", "ProjectView", "project_view"]

# Module names the project always uses (app/*/<name>.py, tests/test_<name>.py) and the
# auth tables' entities: an entity's snake name may not be one of them.
RESERVED_MODULES = frozenset(
    {
        "auth",
        "base",
        "cli",
        "common",
        "core",
        "docs",
        "errors",
        "health",
        "migrations",
        "session",
        "types",
        "user",
    }
)


@dataclass(frozen=True)
class ProjectView:
    """Everything the project-wide templates substitute."""

    name: str
    title: str
    description: str
    version: str
    api_prefix: str
    auth: AuthDesign
    page_size: int
    max_page_size: int
    entities: tuple[EntityView, ...]
    entity_names: str
    model_exports: tuple[str, ...]
    users: TableView
    sessions: TableView
    tables: tuple[TableView, ...]
    tables_reversed: tuple[TableView, ...]
    uses_postgresql_types: bool
    has_links: bool
    tests: SuitePlan


def project_view(blueprint: Blueprint) -> ProjectView:
    """The view model of the project generated from ``blueprint``."""
    clashes = sorted(e.snake for e in blueprint.entities if e.snake in RESERVED_MODULES)
    if clashes:
        raise ValueError(f"entity module names clash with the project's own: {clashes}")
    auth = blueprint.auth
    entities = tuple(entity_view(blueprint, e) for e in blueprint.entities)
    special = {
        auth.users.name: ("User", "An account: email, password hash, role, lockout state."),
        auth.sessions.name: (
            "UserSession",
            "A login: the refresh token's digest, expiry and revocation.",
        ),
    }
    by_table = {e.table.name: e for e in blueprint.entities}
    tables = []
    for table in blueprint.tables:
        if table.name in special:
            class_name, doc = special[table.name]
        elif table.name in by_table:
            entity = by_table[table.name]
            class_name, doc = entity.name, entity.description
        else:
            class_name, doc = "", ""
        tables.append(table_view(table, class_name=class_name, doc=doc))
    exports = {"Base", "User", "UserSession"}
    for view in entities:
        exports |= {view.name, *(j.variable for j in view.junctions)}
    return ProjectView(
        name=blueprint.name,
        title=blueprint.title,
        description=blueprint.description,
        version=blueprint.version,
        api_prefix=blueprint.api_prefix,
        auth=auth,
        page_size=blueprint.page_size,
        max_page_size=blueprint.max_page_size,
        entities=entities,
        entity_names=", ".join(e.table.name for e in blueprint.entities),
        model_exports=tuple(sorted(exports)),
        users=table_view(auth.users, class_name="User", doc=special[auth.users.name][1]),
        sessions=table_view(
            auth.sessions, class_name="UserSession", doc=special[auth.sessions.name][1]
        ),
        tables=tuple(tables),
        tables_reversed=tuple(reversed(tables)),
        uses_postgresql_types=any(c.type == "json" for t in blueprint.tables for c in t.columns),
        has_links=bool(blueprint.junctions),
        tests=suite_plan(blueprint),
    )
