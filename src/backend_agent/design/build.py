"""``design(spec) -> Blueprint``: decide every table, column, index, route and rule.

Pure and deterministic: the same spec always gives an equal blueprint.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Literal

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
    ForeignKey,
    Index,
    Job,
    JobsDesign,
    Junction,
    PlatformDesign,
    RateLimits,
    Relation,
    Route,
    Rule,
    Table,
    Transition,
)
from backend_agent.design.caching import invalidations
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
from backend_agent.spec.model import EntitySpec, FieldSpec, ServiceSpec
from backend_agent.spec.naming import plural, snake, title
from backend_agent.spec.rules import rules_of
from backend_agent.spec.transitions import NOW
from backend_agent.spec.values import normalise_value

__all__ = ["design"]

API_PREFIX = "/api/v1"
_ON_DELETE: dict[str, Literal["CASCADE", "SET NULL", "RESTRICT"]] = {
    "cascade": "CASCADE",
    "set_null": "SET NULL",
    "restrict": "RESTRICT",
}
# Per client and window when the spec does not say: generous for reads, tighter for writes.
DEFAULT_RATE_LIMITS = RateLimits(read="300/minute", write="60/minute")
_TEXT_BOUND = {"string": 255, "email": 320, "url": 2048}
_ORDERED = frozenset({"integer", "decimal", "date", "datetime"})


def design(spec: ServiceSpec) -> Blueprint:
    """The blueprint of the service described by ``spec``."""
    auth = _auth(spec)
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
    platform = _platform(spec, auth)
    jobs = _jobs(spec, auth)
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


def _id_column() -> Column:
    return Column("id", "uuid", nullable=False, primary_key=True)


def _timestamps(*, soft_delete: bool = False) -> tuple[Column, ...]:
    stamps = (
        Column("created_at", "datetime", nullable=False, server_now=True),
        Column("updated_at", "datetime", nullable=False, server_now=True),
    )
    return (*stamps, Column("deleted_at", "datetime", nullable=True)) if soft_delete else stamps


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


def _fk_column(name: str, table: str, on_delete: str, *, nullable: bool) -> Column:
    return Column(
        name=name,
        type="uuid",
        nullable=nullable,
        foreign_key=ForeignKey(table, "id", _ON_DELETE[on_delete]),
    )


# -- auth ---------------------------------------------------------------------------------


def _auth(spec: ServiceSpec) -> AuthDesign:
    auth = spec.auth
    roles = tuple(auth.roles)
    users = Table(
        name="users",
        columns=(
            _id_column(),
            Column("email", "email", nullable=False, unique=True, max_length=320),
            Column("password_hash", "string", nullable=False, max_length=255),
            Column(
                "role",
                "enum",
                nullable=False,
                max_length=50,
                enum_name="ck_users_role",
                enum_values=roles,
                default=auth.default_role or roles[-1],
            ),
            Column("is_active", "boolean", nullable=False, default=True),
            Column("failed_logins", "integer", nullable=False, default=0),
            Column("locked_until", "datetime", nullable=True),
            *_timestamps(),
        ),
        indexes=(Index("uq_users_email", ("email",), unique=True),),
    )
    users = replace(users, check_constraints=_checks("users", list(users.columns)))
    # A session is one login; revoking it ends its access tokens (they carry its id)
    # and its whole family of refresh tokens at once.
    sessions = Table(
        name="sessions",
        columns=(
            _id_column(),
            _fk_column("user_id", "users", "cascade", nullable=False),
            Column("expires_at", "datetime", nullable=False),
            Column("revoked_at", "datetime", nullable=True),
            *_timestamps(),
        ),
        indexes=(Index("ix_sessions_user_id", ("user_id",)),),
    )
    # Every refresh token a session was given, as a SHA-256 digest. A token is used up
    # by one refresh (``used_at``); a used token presented again means it was copied,
    # so the session is revoked.
    refresh_tokens = Table(
        name="refresh_tokens",
        columns=(
            _id_column(),
            _fk_column("session_id", "sessions", "cascade", nullable=False),
            Column("token_hash", "string", nullable=False, unique=True, max_length=64),
            Column("used_at", "datetime", nullable=True),
            Column("created_at", "datetime", nullable=False, server_now=True),
        ),
        indexes=(
            Index("ix_refresh_tokens_session_id", ("session_id",)),
            Index("uq_refresh_tokens_token_hash", ("token_hash",), unique=True),
        ),
    )
    return AuthDesign(
        roles=roles,
        default_role=auth.default_role or roles[-1],
        admin_role=auth.admin_role or ("admin" if "admin" in roles else None),
        access_ttl_seconds=auth.token_ttl,
        refresh_ttl_seconds=auth.refresh_ttl,
        password_min_length=auth.password_min_length,
        password_max_length=auth.password_max_length,
        password_requires=tuple(auth.password_requires),
        lockout_attempts=auth.lockout.attempts,
        lockout_window_seconds=auth.lockout.window,
        rate_limit=auth.rate_limit,
        users=users,
        sessions=sessions,
        refresh_tokens=refresh_tokens,
    )


# -- platform: audit log and idempotency keys ---------------------------------------------

IDEMPOTENCY_TTL_SECONDS = 24 * 3600
AUDIT_ACTIONS = ("create", "replace", "update", "delete", "link", "unlink")


def _platform(spec: ServiceSpec, auth: AuthDesign) -> PlatformDesign:
    """The audit log and the idempotency keys: tables every service keeps for itself."""
    # No foreign key to users: an audit row must outlive, unchanged, the account it names.
    audit_columns = [
        _id_column(),
        Column("actor_id", "uuid", nullable=True),
        Column(
            "action",
            "enum",
            nullable=False,
            max_length=20,
            enum_name="ck_audit_log_action",
            enum_values=AUDIT_ACTIONS,
        ),
        Column("entity", "string", nullable=False, max_length=100),
        Column("entity_id", "uuid", nullable=False),
        Column("request_id", "string", nullable=True, max_length=128),
        Column("detail", "json", nullable=True),
        Column("created_at", "datetime", nullable=False, server_now=True),
    ]
    audit_log = Table(
        name="audit_log",
        columns=tuple(audit_columns),
        indexes=(
            Index("ix_audit_log_entity", ("entity", "entity_id")),
            Index("ix_audit_log_actor_id", ("actor_id",)),
            Index("ix_audit_log_created_at", ("created_at",)),
        ),
        check_constraints=_checks("audit_log", audit_columns),
    )
    idempotency_keys = Table(
        name="idempotency_keys",
        columns=(
            _id_column(),
            _fk_column("user_id", "users", "cascade", nullable=False),
            Column("idempotency_key", "string", nullable=False, max_length=255),
            Column("request_hash", "string", nullable=False, max_length=64),
            Column("status_code", "integer", nullable=False),
            Column("response_body", "text", nullable=False),
            Column("location", "string", nullable=True, max_length=2048),
            Column("expires_at", "datetime", nullable=False),
            Column("created_at", "datetime", nullable=False, server_now=True),
        ),
        # One stored response per user and key: a concurrent duplicate cannot insert a
        # second row, so it cannot write twice either (its transaction fails).
        indexes=(
            Index(
                "uq_idempotency_keys_user_id_idempotency_key",
                ("user_id", "idempotency_key"),
                unique=True,
            ),
            Index("ix_idempotency_keys_expires_at", ("expires_at",)),
        ),
    )
    return PlatformDesign(
        audit_log=audit_log,
        idempotency_keys=idempotency_keys,
        audit_role=spec.auth.admin_role or auth.admin_role or auth.roles[0],
        idempotency_ttl_seconds=IDEMPOTENCY_TTL_SECONDS,
    )


# -- background jobs ----------------------------------------------------------------------

JOB_STATUSES = ("queued", "running", "done", "dead")


def _jobs(spec: ServiceSpec, auth: AuthDesign) -> JobsDesign | None:
    """The job queue and the mail outbox, when the spec declares jobs."""
    if not spec.jobs:
        return None
    jobs = tuple(
        Job(
            name=name,
            event=job.on,
            every_seconds=job.every,
            delay_seconds=job.delay,
            attempts=job.attempts,
            backoff_seconds=job.backoff,
            timeout_seconds=job.timeout,
            description=job.description or "",
        )
        for name, job in spec.jobs.items()
    )
    queue_columns = [
        _id_column(),
        Column("name", "string", nullable=False, max_length=100),
        Column("payload", "json", nullable=False),
        Column(
            "status",
            "enum",
            nullable=False,
            max_length=20,
            enum_name="ck_jobs_status",
            enum_values=JOB_STATUSES,
            default="queued",
        ),
        # Runs started so far; a run whose worker died counts too.
        Column("attempts", "integer", nullable=False, default=0),
        Column("run_after", "datetime", nullable=False),
        # The lease: a running job whose worker stops renewing it is claimable again.
        Column("locked_until", "datetime", nullable=True),
        Column("locked_by", "string", nullable=True, max_length=200),
        Column("last_error", "text", nullable=True),
        Column("finished_at", "datetime", nullable=True),
        *_timestamps(),
    ]
    queue = Table(
        name="jobs",
        columns=tuple(queue_columns),
        # The worker's two polls: due queued jobs, and running jobs whose lease lapsed.
        indexes=(
            Index("ix_jobs_status_run_after", ("status", "run_after")),
            Index("ix_jobs_status_locked_until", ("status", "locked_until")),
            Index("ix_jobs_created_at", ("created_at",)),
        ),
        check_constraints=_checks("jobs", queue_columns),
    )
    # No foreign key to jobs: a sent mail stays on record when old jobs are purged.
    outbox = Table(
        name="mail_outbox",
        columns=(
            _id_column(),
            Column("job_id", "uuid", nullable=False, unique=True),
            Column("recipient", "email", nullable=False, max_length=320),
            Column("subject", "string", nullable=False, max_length=255),
            Column("body", "text", nullable=False),
            Column("sent_at", "datetime", nullable=True),
            Column("created_at", "datetime", nullable=False, server_now=True),
        ),
        indexes=(Index("uq_mail_outbox_job_id", ("job_id",), unique=True),),
    )
    return JobsDesign(
        jobs=jobs,
        queue=queue,
        outbox=outbox,
        statuses=JOB_STATUSES,
        admin_role=auth.admin_role or auth.roles[0],
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
    columns: list[Column] = [_id_column()]
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
            )
        )
    relations: list[Relation] = []
    nested_column = None
    for rel_name, rel in spec.relations.items():
        _, target_table = names[rel.target]
        if rel.kind == "belongs_to":
            fk = f"{rel_name}_id"
            on_delete = rel.on_delete or ("cascade" if rel.required else "set_null")
            column = _fk_column(fk, target_table, on_delete, nullable=not rel.required)
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
                    on_delete=_ON_DELETE[on_delete],
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
        column = _fk_column("owner_id", "users", "cascade", nullable=False)
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
    for stamp in _timestamps(soft_delete=spec.soft_delete):
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
        check_constraints=_checks(table_name, columns) + tuple((c.name, c.sql) for c in checks),
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


def _checks(table: str, columns: list[Column]) -> tuple[tuple[str, str], ...]:
    checks = []
    for column in columns:
        if column.enum_values and column.enum_name:
            quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in column.enum_values)
            checks.append((column.enum_name, f'"{column.name}" IN ({quoted})'))
        bounds = [
            f'"{column.name}" {op} {value}'
            for op, value in ((">=", column.minimum), ("<=", column.maximum))
            if value is not None
        ]
        if bounds:
            checks.append((f"ck_{table}_{column.name}_range", " AND ".join(bounds)))
    return tuple(checks)


def _junction(entity: Entity, relation: Relation, target: Entity) -> Junction:
    left = f"{entity.snake}_id"
    right = f"{target.snake}_id" if target.name != entity.name else f"related_{target.snake}_id"
    name = relation.junction or f"{entity.snake}_{relation.name}"
    table = Table(
        name=name,
        columns=(
            _fk_column(left, entity.table.name, "cascade", nullable=False),
            _fk_column(right, target.table.name, "cascade", nullable=False),
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
