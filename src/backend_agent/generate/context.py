"""The view model of a whole project: the blueprint, translated into names and code."""

from __future__ import annotations

import json
from dataclasses import dataclass

from backend_agent.design.blueprint import AuthDesign, Blueprint
from backend_agent.design.errors import error_codes
from backend_agent.design.queries import CURSOR_DESCRIPTION, MAX_CURSOR_LENGTH
from backend_agent.generate.counts import CountsView, counts_view
from backend_agent.generate.entities import EntityView, entity_view
from backend_agent.generate.jobs import JobsView, jobs_view
from backend_agent.generate.platform import PlatformView, platform_view
from backend_agent.generate.searchview import SearchView, search_view
from backend_agent.generate.tables import UNQUOTED_KEYWORDS, TableView, table_view
from backend_agent.generate.testdata import SuitePlan, suite_plan
from backend_agent.spec.checks import RESERVED_MODULES
from backend_agent.spec.errorcodes import class_name as error_class
from backend_agent.spec.graphql import graphql_names

__all__ = [
    "RESERVED_MODULES",
    "DomainErrorView",
    "ProjectView",
    "RateLimitView",
    "project_view",
]


@dataclass(frozen=True)
class RateLimitView:
    """The service's rates, each entity's overrides, and the routes the tests hit."""

    read: str
    write: str
    overrides: dict[str, str]  # "post.write" -> "20/minute"
    overrides_json: str  # the same, as RATE_LIMIT_OVERRIDES takes it
    sample_scope: str  # the entity whose routes the rate-limit tests call
    sample_path: str  # its collection: GET reads, POST writes


def rate_limit_view(blueprint: Blueprint) -> RateLimitView:
    """The rate-limit settings of the project generated from ``blueprint``."""
    overrides = {
        f"{entity.snake}.{kind}": rate
        for entity in blueprint.entities
        for kind, rate in entity.rate_limit_overrides
    }
    sample = blueprint.entities[0]
    return RateLimitView(
        read=blueprint.rate_limits.read,
        write=blueprint.rate_limits.write,
        overrides=overrides,
        overrides_json=json.dumps(overrides),
        sample_scope=sample.snake,
        sample_path=sample.collection_path,
    )


@dataclass(frozen=True)
class DomainErrorView:
    """An error code the spec declares for its hooks, as a class of app/core/domain.py."""

    name: str  # OutOfStock
    code: str  # OUT_OF_STOCK
    status: int
    description: str


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
    refresh_tokens: TableView
    platform: PlatformView
    tables: tuple[TableView, ...]
    tables_reversed: tuple[TableView, ...]
    uses_postgresql_types: bool
    has_links: bool
    # A column is quoted explicitly (tables.UNQUOTED_KEYWORDS): rows get plain str keys.
    quoted_columns: bool
    tests: SuitePlan
    error_codes: tuple[tuple[str, int, str], ...]  # (code, status, meaning), by status
    rate_limits: RateLimitView
    jobs: JobsView | None = None  # None: the spec declares no jobs
    counts: CountsView | None = None  # None: no list reads a trigger-kept count
    domain_errors: tuple[DomainErrorView, ...] = ()
    search: SearchView | None = None  # None: no entity has full-text search
    graphql: bool = False  # GraphQL at /graphql too (app/api/graphql.py)
    realtime: bool = False  # change feeds over WebSockets (app/api/realtime.py)

    @property
    def graphql_example(self) -> str:
        """A first GraphQL query (the README's): the first page of the first entity."""
        first = self.entities[0]
        names = graphql_names(first.name, first.snake, first.plural)
        return f"{names.list}(limit: 5) {{ items {{ id }} }}"

    @property
    def keyset(self) -> bool:
        """Whether some entity's lists are paged by cursor."""
        return any(entity.keyset for entity in self.entities)

    # The cursor parameter as the design documents it (backend_agent.design.queries).
    cursor_description: str = CURSOR_DESCRIPTION
    max_cursor_length: int = MAX_CURSOR_LENGTH

    @property
    def has_actions(self) -> bool:
        """Whether some entity has custom actions (and so the 501 of a missing handler)."""
        return any(entity.actions for entity in self.entities)

    @property
    def refusal(self) -> DomainErrorView:
        """The error the generated tests' hooks raise: the spec's first code, if any."""
        default = DomainErrorView("DomainError", "DOMAIN_ERROR", 422, "")
        return next(iter(self.domain_errors), default)


def project_view(blueprint: Blueprint) -> ProjectView:
    """The view model of the project generated from ``blueprint``."""
    clashes = sorted(e.snake for e in blueprint.entities if e.snake in RESERVED_MODULES)
    if clashes:
        raise ValueError(f"entity module names clash with the project's own: {clashes}")
    auth = blueprint.auth
    entities = tuple(entity_view(blueprint, e) for e in blueprint.entities)
    special = {
        auth.users.name: ("User", "An account: email, password hash, role, lockout state."),
        auth.sessions.name: ("UserSession", "A login: its expiry and revocation."),
        auth.refresh_tokens.name: (
            "RefreshToken",
            "A refresh token of a session, as a digest; used up by one refresh.",
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
    exports = {"Base", "RefreshToken", "User", "UserSession"}
    for view in entities:
        exports |= {view.name, *(j.variable for j in view.junctions)}
    platform = platform_view(blueprint)
    exports |= set(platform.exports)
    jobs = jobs_view(blueprint)
    exports |= set(jobs.exports if jobs else ())
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
        refresh_tokens=table_view(
            auth.refresh_tokens,
            class_name="RefreshToken",
            doc=special[auth.refresh_tokens.name][1],
        ),
        platform=platform,
        tables=tuple(tables),
        tables_reversed=tuple(reversed(tables)),
        domain_errors=tuple(
            DomainErrorView(error_class(code), code, status, text)
            for code, status, text in blueprint.domain_errors
        ),
        uses_postgresql_types=any(c.type == "json" for t in blueprint.tables for c in t.columns),
        has_links=bool(blueprint.junctions),
        quoted_columns=any(
            c.name in UNQUOTED_KEYWORDS for e in blueprint.entities for c in e.table.columns
        ),
        tests=suite_plan(blueprint),
        error_codes=tuple(
            sorted(
                ((c, s, m) for c, (s, m) in error_codes(blueprint).items()),
                key=lambda e: (e[1], e[0]),
            )
        ),
        rate_limits=rate_limit_view(blueprint),
        jobs=jobs,
        counts=counts_view(blueprint),
        search=search_view(blueprint),
        graphql=blueprint.graphql,
        realtime=blueprint.realtime,
    )
