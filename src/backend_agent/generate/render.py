"""``render(blueprint)``: every file of the generated project, as text.

What varies with the spec is rendered from a template under templates/ (a name ending in
``.jinja``); what does not is a real file under platform/, laid out as in the project and
copied verbatim (any other name).
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources
from pathlib import PurePosixPath

import jinja2

from backend_agent.design.blueprint import Blueprint
from backend_agent.generate.cacheplan import cache_suite
from backend_agent.generate.context import ProjectView, project_view
from backend_agent.generate.graphqlview import graphql_entities
from backend_agent.generate.jobs import JOB_FILES
from backend_agent.generate.pyexpr import docstring, py
from backend_agent.generate.walkthrough import walkthrough

__all__ = ["render"]

# Project-wide files: template (under templates/) or platform file (under platform/) ->
# output path.
_PROJECT_FILES: tuple[tuple[str, str], ...] = (
    ("app/__init__.py.jinja", "app/__init__.py"),
    ("app/main.py.jinja", "app/main.py"),
    ("app/cli.py.jinja", "app/cli.py"),
    ("app/server.py", "app/server.py"),
    ("app/core/__init__.py", "app/core/__init__.py"),
    ("app/core/cache.py", "app/core/cache.py"),
    ("app/core/cachestore.py", "app/core/cachestore.py"),
    ("app/core/config.py.jinja", "app/core/config.py"),
    ("app/core/context.py", "app/core/context.py"),
    ("app/core/db.py.jinja", "app/core/db.py"),
    ("app/core/idempotency.py", "app/core/idempotency.py"),
    ("app/core/errors.py", "app/core/errors.py"),
    ("app/core/logging.py", "app/core/logging.py"),
    ("app/core/metrics.py.jinja", "app/core/metrics.py"),
    ("app/core/middleware.py", "app/core/middleware.py"),
    ("app/core/migrations.py", "app/core/migrations.py"),
    ("app/core/outages.py", "app/core/outages.py"),
    ("app/core/pagination.py.jinja", "app/core/pagination.py"),
    ("app/core/permissions.py", "app/core/permissions.py"),
    ("app/fastpath/__init__.py", "app/fastpath/__init__.py"),
    ("app/fastpath/reads.py", "app/fastpath/reads.py"),
    ("app/core/ratelimit.py", "app/core/ratelimit.py"),
    ("app/core/redis.py", "app/core/redis.py"),
    ("app/core/responses.py", "app/core/responses.py"),
    ("app/core/security.py", "app/core/security.py"),
    ("app/core/sqlite_writer.py", "app/core/sqlite_writer.py"),
    ("app/core/statements.py", "app/core/statements.py"),
    ("app/core/rules.py", "app/core/rules.py"),
    ("app/core/hooks.py", "app/core/hooks.py"),
    ("app/core/domain.py.jinja", "app/core/domain.py"),
    ("app/domain/__init__.py.jinja", "app/domain/__init__.py"),
    ("app/api/__init__.py", "app/api/__init__.py"),
    ("app/api/bodies.py", "app/api/bodies.py"),
    ("app/api/deps.py", "app/api/deps.py"),
    ("app/fastpath/endpoints.py.jinja", "app/fastpath/endpoints.py"),
    ("app/api/headers.py", "app/api/headers.py"),
    ("app/api/router.py.jinja", "app/api/router.py"),
    ("app/api/routes/__init__.py", "app/api/routes/__init__.py"),
    ("app/api/routes/audit.py.jinja", "app/api/routes/audit.py"),
    ("app/api/routes/auth.py", "app/api/routes/auth.py"),
    ("app/api/routes/docs.py.jinja", "app/api/routes/docs.py"),
    ("app/api/routes/health.py.jinja", "app/api/routes/health.py"),
    ("app/api/routes/metrics.py.jinja", "app/api/routes/metrics.py"),
    ("app/models/__init__.py.jinja", "app/models/__init__.py"),
    ("app/models/base.py", "app/models/base.py"),
    ("app/models/platform.py.jinja", "app/models/platform.py"),
    ("app/models/types.py", "app/models/types.py"),
    ("app/models/user.py.jinja", "app/models/user.py"),
    ("app/schemas/__init__.py", "app/schemas/__init__.py"),
    ("app/schemas/audit.py", "app/schemas/audit.py"),
    ("app/schemas/auth.py.jinja", "app/schemas/auth.py"),
    ("app/schemas/types.py", "app/schemas/types.py"),
    ("app/repositories/__init__.py", "app/repositories/__init__.py"),
    ("app/repositories/audit.py.jinja", "app/repositories/audit.py"),
    ("app/repositories/base.py.jinja", "app/repositories/base.py"),
    ("app/repositories/idempotency.py", "app/repositories/idempotency.py"),
    ("app/repositories/user.py", "app/repositories/user.py"),
    ("app/services/__init__.py.jinja", "app/services/__init__.py"),
    ("app/services/audit.py.jinja", "app/services/audit.py"),
    ("app/services/auth.py.jinja", "app/services/auth.py"),
    ("app/services/base.py.jinja", "app/services/base.py"),
    ("app/services/common.py.jinja", "app/services/common.py"),
    ("app/services/idempotency.py.jinja", "app/services/idempotency.py"),
    ("migrations/env.py.jinja", "migrations/env.py"),
    ("migrations/script.py.mako", "migrations/script.py.mako"),
    ("migrations/versions/0001_initial.py.jinja", "migrations/versions/0001_initial.py"),
    ("alembic.ini", "alembic.ini"),
    ("project/pyproject.toml.jinja", "pyproject.toml"),
    ("project/README.md.jinja", "README.md"),
    ("project/SECURITY.md.jinja", "SECURITY.md"),
    ("project/env.example.jinja", ".env.example"),
    (".gitignore", ".gitignore"),
    (".dockerignore", ".dockerignore"),
    ("Dockerfile", "Dockerfile"),
    ("project/ci.yml.jinja", ".github/workflows/ci.yml"),
    (".pre-commit-config.yaml", ".pre-commit-config.yaml"),
    ("project/compose.yaml.jinja", "compose.yaml"),
    ("deploy/nginx.conf", "deploy/nginx.conf"),
    ("tests/__init__.py", "tests/__init__.py"),
    ("tests/conftest.py.jinja", "tests/conftest.py"),
    ("tests/factories.py.jinja", "tests/factories.py"),
    ("tests/apps.py", "tests/apps.py"),
    ("tests/helpers.py.jinja", "tests/helpers.py"),
    ("tests/test_audit.py.jinja", "tests/test_audit.py"),
    ("tests/test_auth.py.jinja", "tests/test_auth.py"),
    ("tests/test_checkout.py", "tests/test_checkout.py"),
    ("tests/test_cli.py.jinja", "tests/test_cli.py"),
    ("tests/test_core.py", "tests/test_core.py"),
    ("tests/test_errors.py.jinja", "tests/test_errors.py"),
    ("tests/test_health.py.jinja", "tests/test_health.py"),
    ("tests/test_inputs.py.jinja", "tests/test_inputs.py"),
    ("tests/test_metrics.py.jinja", "tests/test_metrics.py"),
    ("tests/test_migrations.py.jinja", "tests/test_migrations.py"),
    ("tests/test_openapi.py", "tests/test_openapi.py"),
    ("tests/test_outages.py.jinja", "tests/test_outages.py"),
    ("tests/test_ratelimit.py.jinja", "tests/test_ratelimit.py"),
    ("tests/test_fast_path.py.jinja", "tests/test_fast_path.py"),
    ("tests/test_every_route.py", "tests/test_every_route.py"),
    ("tests/test_reads.py.jinja", "tests/test_reads.py"),
    ("tests/test_security.py.jinja", "tests/test_security.py"),
    ("tests/test_sqlite_durability.py.jinja", "tests/test_sqlite_durability.py"),
    ("tests/test_sqlite_writer.py.jinja", "tests/test_sqlite_writer.py"),
)
# Files of the trigger-kept row counts, when some list reads one.
_COUNT_FILES: tuple[tuple[str, str], ...] = (
    ("app/models/counts.py.jinja", "app/models/counts.py"),
    ("tests/test_counts.py.jinja", "tests/test_counts.py"),
)
# Files per entity: template -> output path, with {module} replaced.
_ENTITY_FILES: tuple[tuple[str, str], ...] = (
    ("app/models/entity.py.jinja", "app/models/{module}.py"),
    ("app/schemas/entity.py.jinja", "app/schemas/{module}.py"),
    ("app/repositories/entity.py.jinja", "app/repositories/{module}.py"),
    ("app/services/entity.py.jinja", "app/services/{module}.py"),
    ("app/domain/entity.py.jinja", "app/domain/{module}.py"),
    ("app/api/routes/entity.py.jinja", "app/api/routes/{module}.py"),
    ("tests/test_entity.py.jinja", "tests/test_{module}.py"),
    ("tests/test_entity_writes.py.jinja", "tests/test_{module}_writes.py"),
)


def _load(name: str) -> str:
    return (resources.files("backend_agent.generate") / "templates" / name).read_text("utf-8")


@cache
def _platform(name: str) -> str:
    """A platform file's text, the same in every project."""
    return (resources.files("backend_agent.generate") / "platform" / name).read_text("utf-8")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """The template environment, built once: templates compile on first use."""
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - the output is source code, not HTML
    )
    environment.filters["py"] = py
    environment.filters["doc"] = docstring
    return environment


def _render(environment: jinja2.Environment, source: str, **context: object) -> str:
    """A template rendered with ``context``, or a platform file as it is."""
    if not source.endswith(".jinja"):
        return _platform(source)
    return environment.get_template(source).render(**context)


def render(blueprint: Blueprint) -> dict[PurePosixPath, str]:
    """Every file of the project, unformatted, keyed by its path inside the project."""
    project: ProjectView = project_view(blueprint)
    environment = _environment()
    plans = {plan.name: plan for plan in project.tests.entities}
    guide = walkthrough(blueprint)
    files: dict[PurePosixPath, str] = {}
    for source, output in _PROJECT_FILES:
        files[PurePosixPath(output)] = _render(environment, source, p=project, w=guide)
    for source, output in JOB_FILES if project.jobs else ():
        files[PurePosixPath(output)] = _render(environment, source, p=project, w=guide)
    for source, output in _COUNT_FILES if project.counts else ():
        files[PurePosixPath(output)] = _render(environment, source, p=project, w=guide)
    caching = cache_suite(blueprint, project.tests)
    files[PurePosixPath("tests/test_cache_store.py")] = _platform("tests/test_cache_store.py")
    if caching.entities:
        files[PurePosixPath("tests/test_cache.py")] = _render(
            environment, "tests/test_cache.py.jinja", c=caching
        )
    if any(entity.stats for entity in project.entities):
        files[PurePosixPath("app/repositories/stats.py")] = _platform("app/repositories/stats.py")
    if any(entity.search for entity in project.entities):
        for name in ("app/repositories/search.py", "app/schemas/search.py"):
            files[PurePosixPath(name)] = _platform(name)
        files[PurePosixPath("tests/test_search.py")] = _render(
            environment, "tests/test_search.py.jinja", p=project
        )
    if any(entity.keyset for entity in project.entities):
        for name in (
            "app/api/paging.py",
            "app/core/cursors.py",
            "app/repositories/keyset.py",
            "tests/test_cursor_codec.py",
        ):
            files[PurePosixPath(name)] = _platform(name)
    if project.graphql:
        for name in (
            "app/api/graphql.py",
            "app/api/graphql_limits.py",
            "app/api/graphql_loader.py",
            "app/repositories/grouped.py",
        ):
            files[PurePosixPath(name)] = _platform(name)
        bindings = graphql_entities(blueprint, project.entities)
        for name in ("app/api/graphql_entities.py", "tests/test_graphql.py"):
            files[PurePosixPath(name)] = _render(
                environment, f"{name}.jinja", p=project, g=bindings
            )
    if project.realtime or project.graphql:  # GraphQL's subscriptions are bound there too
        for name in ("app/api/realtime.py", "app/core/events.py"):
            files[PurePosixPath(name)] = _platform(name)
    if project.realtime and project.graphql:
        files[PurePosixPath("app/api/graphql_ws.py")] = _platform("app/api/graphql_ws.py")
    if project.realtime:
        for name in ("app/api/feeds.py", "tests/test_realtime.py"):
            files[PurePosixPath(name)] = _render(environment, f"{name}.jinja", p=project)
    if any(t.access for t in project.tests.entities):
        files[PurePosixPath("tests/test_field_access.py")] = _render(
            environment, "tests/test_field_access.py.jinja", p=project
        )
    if any(t.stats_keys or t.stats_measures for t in project.tests.entities):
        files[PurePosixPath("tests/test_stats.py")] = _render(
            environment, "tests/test_stats.py.jinja", p=project
        )
    if any(t.custom_actions for t in project.tests.entities):
        files[PurePosixPath("tests/test_actions.py")] = _render(
            environment, "tests/test_actions.py.jinja", p=project
        )
    if any(t.rule_cases for t in project.tests.entities):
        files[PurePosixPath("tests/test_rules.py")] = _render(
            environment, "tests/test_rules.py.jinja", p=project
        )
    if any(entity.transitions for entity in project.entities):
        files[PurePosixPath("tests/test_transitions.py")] = _render(
            environment, "tests/test_transitions.py.jinja", p=project
        )
    for entity in project.entities:
        for template, output in _ENTITY_FILES:
            path = PurePosixPath(output.format(module=entity.module))
            files[path] = _render(environment, template, p=project, e=entity, t=plans[entity.name])
    return dict(sorted(files.items()))
