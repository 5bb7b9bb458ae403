"""``design(spec) -> Blueprint``: decide every table, column, index, route and rule.

Pure and deterministic: the same spec always gives an equal blueprint.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from backend_agent.design.aggregates import aggregates
from backend_agent.design.blueprint import (
    AuthDesign,
    Blueprint,
    CacheDesign,
    Column,
    ColumnType,
    CustomAction,
    Entity,
    EntityField,
    Index,
    Junction,
    RateLimits,
    Relation,
    Route,
    Rule,
    Table,
    Transition,
)
from backend_agent.design.caching import invalidations
from backend_agent.design.columns import (
    ON_DELETE,
    fk_column,
    id_column,
    range_checks,
    timestamps,
)
from backend_agent.design.counts import counted_tables
from backend_agent.design.decisions import decisions_for
from backend_agent.design.routes import (
    audit_routes,
    auth_routes,
    entity_routes,
    health_routes,
    job_routes,
)
from backend_agent.design.rules import bounded, row_checks, unique_groups
from backend_agent.design.search import text_search
from backend_agent.design.service import auth_design, jobs_design, platform_design
from backend_agent.spec.model import EntitySpec, FieldSpec, ServiceSpec
from backend_agent.spec.naming import plural, snake, title
from backend_agent.spec.rules import rules_of
from backend_agent.spec.transitions import NOW
from backend_agent.spec.values import normalise_value

__all__ = ["design"]

API_PREFIX = "/api/v1"
# Per client and window when the spec does not say: generous for reads, tighter for writes.
DEFAULT_RATE_LIMITS = RateLimits(read="300/minute", write="60/minute")
_TEXT_BOUND = {"string": 255, "email": 320, "url": 2048}
_ORDERED = frozenset({"integer", "decimal", "date", "datetime"})


def design(spec: ServiceSpec) -> Blueprint:
    """The blueprint of the service described by ``spec``."""
    auth = auth_design(spec)
    names = {
        name: (snake(name), e.plural or plural(snake(name))) for name, e in spec.entities.items()
    }
    limits = RateLimits(
        read=spec.rate_limits.read or DEFAULT_RATE_LIMITS.read,
        write=spec.rate_limits.write or DEFAULT_RATE_LIMITS.write,
    )
    entities = [
        _with_rate_limits(_entity(name, e, spec, auth, names), e, limits)
        for name, e in spec.entities.items()
    ]
    by_name = {e.name: e for e in entities}
    junctions = tuple(
        _junction(entity, relation, by_name[relation.target])
        for entity in entities
        for relation in entity.relations
        if relation.kind == "many_to_many"
    )
    routes_by_entity = _unique_operation_ids(
        {
            e.name: _limited(entity_routes(e, by_name, API_PREFIX), e.rate_limits or limits)
            for e in entities
        },
        taken={r.operation_id for r in _platform_routes(has_jobs=bool(spec.jobs))},
    )
    entities = [replace(e, routes=routes_by_entity[e.name]) for e in entities]
    stale = invalidations(entities, junctions)
    entities = [replace(e, invalidation=stale[e.name]) for e in entities]
    ordered = _dependency_order(entities)
    platform = platform_design(spec, auth)
    jobs = jobs_design(spec, auth)
    tables = (
        *auth.tables,
        *(e.table for e in ordered),
        *(j.table for j in junctions),
        *(jobs.tables if jobs else ()),
        *platform.tables,
    )
    routes = (
        *health_routes(),
        *_limited(auth_routes(API_PREFIX), limits, strict=auth.rate_limit),
        *(route for e in entities for route in routes_by_entity[e.name]),
        *_limited(audit_routes(API_PREFIX, platform.audit_role), limits),
        *(_limited(job_routes(API_PREFIX, jobs.admin_role), limits) if jobs else ()),
    )
    # Any other API route (added outside entities and auth) gets the service's rates.
    routes = tuple(
        replace(route, rate_limit=limits.for_method(route.method))
        if route.rate_limit is None and route.path.startswith(f"{API_PREFIX}/")
        else route
        for route in routes
    )
    blueprint = Blueprint(
        name=spec.name,
        package=spec.name.replace("-", "_"),
        title=spec.title or f"{title(spec.name)} API",
        description=spec.description or f"The {spec.name} service.",
        version=spec.version,
        api_prefix=API_PREFIX,
        auth=auth,
        platform=platform,
        entities=tuple(entities),
        junctions=junctions,
        tables=tables,
        routes=routes,
        decisions=(),
        page_size=min(spec.page_size, spec.max_page_size),
        max_page_size=spec.max_page_size,
        graphql=spec.graphql,
        realtime=spec.realtime,
        rate_limits=limits,
        jobs=jobs,
        counted=counted_tables(entities),
        domain_errors=tuple(
            (code, error.status, error.description or f"Refused by a rule of the service ({code}).")
            for code, error in spec.errors.items()
        ),
    )
    return replace(blueprint, decisions=decisions_for(blueprint))


# -- rate limits ---------------------------------------------------------------------------


def _with_rate_limits(entity: Entity, spec: EntitySpec, service: RateLimits) -> Entity:
    given = spec.rate_limits
    overrides = tuple(
        (kind, rate) for kind, rate in (("read", given.read), ("write", given.write)) if rate
    )
    limits = RateLimits(read=given.read or service.read, write=given.write or service.write)
    return replace(entity, rate_limits=limits, rate_limit_overrides=overrides)


def _platform_routes(*, has_jobs: bool) -> tuple[Route, ...]:
    """The service's own routes, for their operationIds (rules and rates do not matter)."""
    jobs = job_routes(API_PREFIX, "") if has_jobs else ()
    return (*health_routes(), *auth_routes(API_PREFIX), *audit_routes(API_PREFIX, ""), *jobs)


def _unique_operation_ids(
    routes_by_entity: dict[str, tuple[Route, ...]], *, taken: set[str]
) -> dict[str, tuple[Route, ...]]:
    """Entity routes whose operationId is already taken get the first free ``_2``, ``_3``...

    The service's own routes keep theirs; an entity named ``Me`` (``get_me``) or ``Job``, or
    a ``PostTag`` beside ``Post.tags`` (``list_post_tags``), would repeat one otherwise, and
    clients and probes find operations by operationId.
    """
    unique: dict[str, tuple[Route, ...]] = {}
    for name, routes in routes_by_entity.items():
        renamed = []
        for route in routes:
            operation_id, number = route.operation_id, 2
            while operation_id in taken:
                operation_id, number = f"{route.operation_id}_{number}", number + 1
            taken.add(operation_id)
            renamed.append(replace(route, operation_id=operation_id))
        unique[name] = tuple(renamed)
    return unique


def _limited(
    routes: tuple[Route, ...], limits: RateLimits, *, strict: str | None = None
) -> tuple[Route, ...]:
    """Each route with its binding rate; ``strict`` (per IP) where a password is checked."""
    return tuple(
        replace(
            route,
            rate_limit=strict
            if route.action in ("auth_login", "auth_register", "auth_password") and strict
            else limits.for_method(route.method),
        )
        for route in routes
    )


# -- columns -------------------------------------------------------------------------------


def _number(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def _default(field: FieldSpec) -> Any:
    return _scalar(field.default)


def _scalar(value: Any) -> Any:
    """A field's value as the design keeps it: JSON text for dates, decimals and UUIDs."""
    if isinstance(value, Decimal):
        return str(value)
    if value is not None and not isinstance(value, str | int | float | bool):
        return str(value)
    return value


def _field_column(table: str, name: str, field: FieldSpec) -> Column:
    kind: ColumnType = field.type
    has_default = field.default is not None
    return Column(
        name=name,
        type=kind,
        nullable=field.nullable or (not field.required and not has_default),
        unique=field.unique,
        max_length=field.max_length or _TEXT_BOUND.get(kind),
        min_length=field.min_length,
        pattern=field.pattern,
        minimum=_number(field.min),
        maximum=_number(field.max),
        precision=(field.precision or 12) if kind == "decimal" else None,
        scale=(field.scale if field.scale is not None else 2) if kind == "decimal" else None,
        enum_name=f"ck_{table}_{name}" if kind == "enum" else None,
        enum_values=tuple(field.values or ()),
        default=_default(field),
    )


# -- entities -----------------------------------------------------------------------------


def _rule(value: str | list[str] | None, default: Rule) -> Rule:
    if value is None:
        return default
    if isinstance(value, list):
        return Rule("roles", tuple(value))
    if value in ("anyone", "authenticated", "owner"):
        return Rule(value)  # type: ignore[arg-type]
    return Rule("owner_or_roles", (value.removeprefix("owner_or_"),))


def _create_rule(rule: Rule, *, owned: bool) -> Rule:
    """Who may create. A new row belongs to whoever creates it: an owner's rule lets any
    signed-in caller create, and so does ``anyone`` where rows need an owner."""
    if rule.checks_owner or (owned and rule.kind == "anyone"):
        return Rule("authenticated")
    return rule


def _permissions(entity: EntitySpec, auth: AuthDesign) -> dict[str, Rule]:
    admin = (auth.admin_role,) if auth.admin_role else ()
    if entity.owner:
        write = Rule("owner_or_roles", admin) if admin else Rule("owner")
    else:
        write = Rule("roles", admin) if admin else Rule("authenticated")
    signed_in = Rule("authenticated")
    given = entity.permissions
    return {
        "list": _rule(given.list, signed_in),
        "read": _rule(given.read, signed_in),
        "create": _create_rule(_rule(given.create, signed_in), owned=entity.owner),
        "update": _rule(given.update, write),
        "delete": _rule(given.delete, write),
    }


def _entity(
    name: str,
    spec: EntitySpec,
    service: ServiceSpec,
    auth: AuthDesign,
    names: dict[str, tuple[str, str]],
) -> Entity:
    snake_name, table_name = names[name]
    columns: list[Column] = [id_column()]
    fields: list[EntityField] = [EntityField("id", columns[0], writable=False, required=False)]
    filters = set(spec.filters)
    sorts = set(spec.sort) | {"created_at"}  # the default order is always allowed
    rules = rules_of(spec)
    for field_name, field in spec.fields.items():
        column = bounded(_field_column(table_name, field_name, field), spec, rules)
        columns.append(column)
        fields.append(
            EntityField(
                field_name,
                column,
                # A state field changes only through its transitions.
                writable=field_name not in spec.transitions,
                required=field.required,
                filterable=field_name in filters,
                sortable=field_name in sorts,
                description=field.description or "",
                example=field.example,
                read_roles=field.read,
                write_roles=field.write,
            )
        )
    relations: list[Relation] = []
    nested_column = None
    for rel_name, rel in spec.relations.items():
        _, target_table = names[rel.target]
        if rel.kind == "belongs_to":
            fk = f"{rel_name}_id"
            on_delete = rel.on_delete or ("cascade" if rel.required else "set_null")
            column = fk_column(fk, target_table, on_delete, nullable=not rel.required)
            columns.append(column)
            fields.append(
                EntityField(
                    fk,
                    column,
                    writable=True,
                    required=rel.required,
                    filterable=rel_name in filters or fk in filters,
                    description=f"The {title(rel.target).lower()} this belongs to.",
                )
            )
            relations.append(
                Relation(
                    rel_name,
                    "belongs_to",
                    rel.target,
                    column=fk,
                    required=rel.required,
                    on_delete=ON_DELETE[on_delete],
                )
            )
            if spec.nested_under == rel.target and nested_column is None:
                nested_column = fk
        elif rel.kind == "has_many":
            relations.append(Relation(rel_name, "has_many", rel.target))
        else:
            relations.append(
                Relation(rel_name, "many_to_many", rel.target, junction=f"{snake_name}_{rel_name}")
            )
    if spec.owner:
        column = fk_column("owner_id", "users", "cascade", nullable=False)
        columns.append(column)
        fields.append(
            EntityField(
                "owner_id",
                column,
                writable=False,
                required=False,
                filterable="owner_id" in filters,
                description="The user who created this row.",
            )
        )
    for stamp in timestamps(soft_delete=spec.soft_delete):
        columns.append(stamp)
        if stamp.name != "deleted_at":
            fields.append(
                EntityField(
                    stamp.name, stamp, writable=False, required=False, sortable=stamp.name in sorts
                )
            )
    filter_columns = tuple(f.name for f in fields if f.filterable)
    sort_columns = tuple(f.name for f in fields if f.sortable)
    checks = row_checks(table_name, rules)
    table = Table(
        name=table_name,
        columns=tuple(columns),
        indexes=_indexes(table_name, columns, set(filter_columns) | set(sort_columns), spec)
        + unique_groups(table_name, spec),
        check_constraints=range_checks(table_name, columns)
        + tuple((c.name, c.sql) for c in checks),
        rules=checks,
        search=text_search(spec),
    )
    item = f"{API_PREFIX}/{table_name}"
    permissions = _permissions(spec, auth)
    return Entity(
        name=name,
        snake=snake_name,
        plural=table_name,
        title=title(name),
        table=table,
        fields=tuple(fields),
        relations=tuple(relations),
        permissions=permissions,
        owner=spec.owner,
        soft_delete=spec.soft_delete,
        nested_under=spec.nested_under,
        nested_column=nested_column,
        filters=filter_columns,
        sort=sort_columns,
        default_sort="-created_at",
        collection_path=item,
        item_path=f"{item}/{{id}}",
        description=spec.description or "",
        cache=CacheDesign(spec.cache.ttl) if spec.cache else None,
        transitions=_transitions(snake_name, spec, permissions["update"]),
        aggregates=aggregates(spec, columns),
        pagination=spec.pagination,
        actions=tuple(
            CustomAction(
                name, _rule(action.permission, permissions["update"]), action.description or ""
            )
            for name, action in spec.actions.items()
        ),
    )


def _transitions(snake_name: str, spec: EntitySpec, update: Rule) -> tuple[Transition, ...]:
    """The entity's transitions; each takes the update rule unless it names its own."""
    moves = []
    for state, machine in spec.transitions.items():
        for name, move in machine.items():
            clocked = [k for k, v in move.set.items() if v == NOW]
            fixed = tuple(
                (k, None if v is None else _scalar(normalise_value(spec.fields[k], v)))
                for k, v in move.set.items()
                if k not in clocked
            )
            moves.append(
                Transition(
                    name=name,
                    field=state,
                    sources=move.sources,
                    target=move.to,
                    rule=_rule(move.permission, update),
                    event=f"{snake_name}.{move.to}",
                    now=tuple(k for k in clocked if spec.fields[k].type == "datetime"),
                    today=tuple(k for k in clocked if spec.fields[k].type == "date"),
                    values=fixed,
                    description=move.description or "",
                )
            )
    return tuple(moves)


def _indexes(
    table: str, columns: list[Column], queried: set[str], spec: EntitySpec
) -> tuple[Index, ...]:
    indexes: list[Index] = []
    for column in columns:
        if column.primary_key:
            continue
        if column.unique:
            name = f"uq_{table}_{column.name}"
            indexes.append(Index(name, (column.name,), unique=True, reported=True))
        elif column.type in ("text", "json"):
            continue  # not indexable as a whole on every database
        elif column.foreign_key or column.name in queried or _indexed(spec, column.name):
            indexes.append(Index(f"ix_{table}_{column.name}", (column.name,)))
    return tuple(indexes)


def _indexed(spec: EntitySpec, name: str) -> bool:
    field = spec.fields.get(name)
    return bool(field and field.index)


def _junction(entity: Entity, relation: Relation, target: Entity) -> Junction:
    left = f"{entity.snake}_id"
    right = f"{target.snake}_id" if target.name != entity.name else f"related_{target.snake}_id"
    name = relation.junction or f"{entity.snake}_{relation.name}"
    table = Table(
        name=name,
        columns=(
            fk_column(left, entity.table.name, "cascade", nullable=False),
            fk_column(right, target.table.name, "cascade", nullable=False),
            Column("created_at", "datetime", nullable=False, server_now=True),
        ),
        indexes=(Index(f"ix_{name}_{right}", (right,)),),
        primary_key=(left, right),
    )
    return Junction(table, entity.name, left, target.name, right, relation.name)


def _dependency_order(entities: list[Entity]) -> list[Entity]:
    """Parents before children, so DDL applies in order; ties keep spec order."""
    by_table = {e.table.name: e for e in entities}
    done: dict[str, Entity] = {}

    def visit(entity: Entity, trail: tuple[str, ...]) -> None:
        if entity.name in done or entity.name in trail:
            return
        for column in entity.table.foreign_keys:
            parent = by_table.get(column.foreign_key.table) if column.foreign_key else None
            if parent is not None and parent.name != entity.name:
                visit(parent, (*trail, entity.name))
        done[entity.name] = entity

    for entity in entities:
        visit(entity, ())
    return list(done.values())
