"""The blueprint: every name, table, column, route and rule of a service, decided.

A blueprint is plain frozen data computed from a spec by ``design()``. Renderers
(DDL, OpenAPI, the generated project) only read it; they decide nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from backend_agent.spec.model import FieldType

__all__ = [
    "Action",
    "Aggregates",
    "AuthDesign",
    "Blueprint",
    "CacheDesign",
    "Column",
    "ColumnType",
    "Counted",
    "CustomAction",
    "Decision",
    "Entity",
    "EntityField",
    "ForeignKey",
    "Index",
    "Invalidation",
    "Job",
    "JobsDesign",
    "Junction",
    "PlatformDesign",
    "RateLimits",
    "Relation",
    "Route",
    "RowCheck",
    "Rule",
    "Scalar",
    "StatsKey",
    "StatsMeasure",
    "Table",
    "TextSearch",
    "Transition",
]

# A column holds exactly the values a spec field type describes.
ColumnType = FieldType
Action = Literal["list", "read", "create", "update", "delete"]
Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class ForeignKey:
    """A reference from a column to ``table.column``."""

    table: str
    column: str
    on_delete: Literal["CASCADE", "SET NULL", "RESTRICT"]


@dataclass(frozen=True)
class Column:
    """A database column with the constraints the spec asked for."""

    name: str
    type: ColumnType
    nullable: bool
    primary_key: bool = False
    unique: bool = False
    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None
    minimum: str | None = None  # decimal text, exact; None when unbounded
    maximum: str | None = None
    precision: int | None = None  # decimal only
    scale: int | None = None
    enum_name: str | None = None  # the database enum / check constraint name
    enum_values: tuple[str, ...] = ()
    default: Scalar = None  # applied by the application and by the server
    foreign_key: ForeignKey | None = None
    server_now: bool = False  # created_at / updated_at: the database fills it in


@dataclass(frozen=True)
class Index:
    """An index; ``unique`` ones are the spec's uniqueness constraints.

    ``reported``: a conflict on it names its columns (API fields) to the client.
    """

    name: str
    columns: tuple[str, ...]
    unique: bool = False
    reported: bool = False


# A rule's comparison operator, and the word that names it in a constraint's name.
RULE_WORDS = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}


@dataclass(frozen=True)
class RowCheck:
    """A spec rule between two columns of one row: a CHECK constraint named ``name``."""

    name: str
    left: str
    op: Literal["<", "<=", ">", ">="]
    right: str

    @property
    def sql(self) -> str:
        """The CHECK's expression."""
        return f'"{self.left}" {self.op} "{self.right}"'

    @property
    def text(self) -> str:
        """The rule as the spec states it: ``ends_at > starts_at``."""
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class TextSearch:
    """A full-text index over some text columns of a table (see design/search.py)."""

    columns: tuple[str, ...]  # in the spec's order: earlier columns weigh more
    language: str  # PostgreSQL's text search configuration: english, simple...


@dataclass(frozen=True)
class Table:
    """A table, its columns in declaration order, and its indexes."""

    name: str
    columns: tuple[Column, ...]
    indexes: tuple[Index, ...]
    primary_key: tuple[str, ...] = ("id",)
    check_constraints: tuple[tuple[str, str], ...] = ()  # (name, SQL expression)
    rules: tuple[RowCheck, ...] = ()  # the spec's rules between columns (also CHECKs above)
    search: TextSearch | None = None  # None: no full-text index

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def foreign_keys(self) -> tuple[Column, ...]:
        """The columns that reference another table."""
        return tuple(c for c in self.columns if c.foreign_key is not None)


@dataclass(frozen=True)
class EntityField:
    """How one column appears in the API.

    ``writable`` fields are accepted on create/update; ``required`` ones must be
    present on create; ``readable`` ones appear in responses.
    """

    name: str
    column: Column
    writable: bool
    required: bool
    readable: bool = True
    filterable: bool = False
    sortable: bool = False
    description: str = ""
    example: Scalar | dict[str, Scalar] | list[Scalar] = None
    # Field-level permissions: the roles that see it (set) in responses; None: all.
    read_roles: tuple[str, ...] | None = None
    write_roles: tuple[str, ...] | None = None

    def shown_to(self, role: str | None) -> bool:
        """Whether a caller of ``role`` (None: anonymous) sees the field."""
        return self.read_roles is None or role in self.read_roles


@dataclass(frozen=True)
class Rule:
    """Who may perform an action.

    ``kind``: anyone | authenticated | roles | owner | owner_or_roles.
    ``roles`` are the roles that pass without owning the row (or at all, for
    ``roles``).
    """

    kind: Literal["anyone", "authenticated", "roles", "owner", "owner_or_roles"]
    roles: tuple[str, ...] = ()

    @property
    def needs_user(self) -> bool:
        """Whether an authenticated user is required."""
        return self.kind != "anyone"

    @property
    def checks_owner(self) -> bool:
        """Whether row ownership is part of the rule (enforced inside the query)."""
        return self.kind in ("owner", "owner_or_roles")

    @property
    def checks_role(self) -> bool:
        """Whether only some roles pass without further checks."""
        return self.kind == "roles"


@dataclass(frozen=True)
class Relation:
    """A relation of an entity, resolved to columns and tables."""

    name: str
    kind: Literal["belongs_to", "has_many", "many_to_many"]
    target: str  # entity name
    column: str | None = None  # belongs_to: the foreign-key column on this table
    junction: str | None = None  # many_to_many: the junction table name
    required: bool = True
    on_delete: Literal["CASCADE", "SET NULL", "RESTRICT"] | None = None


@dataclass(frozen=True)
class Junction:
    """A many-to-many junction table between two entities."""

    table: Table
    left: str  # entity name owning the relation
    left_column: str
    right: str
    right_column: str
    relation: str  # relation name on the left entity


@dataclass(frozen=True)
class RateLimits:
    """Requests per client and window (``300/minute``) for each endpoint class."""

    read: str  # GET
    write: str  # POST, PUT, PATCH, DELETE

    def for_method(self, method: str) -> str:
        """The rate of an operation with this HTTP method."""
        return self.read if method == "GET" else self.write


@dataclass(frozen=True)
class Route:
    """One HTTP operation."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str
    operation_id: str
    entity: str | None
    action: str  # list|read|create|replace|update|delete|list_nested|create_nested|
    #              list_related|link|unlink|auth_*|health_*
    rule: Rule
    status: int
    summary: str
    tag: str
    relation: str | None = None  # nested / many-to-many routes
    rate_limit: str | None = None  # the binding rate per client; None: not limited (health)
    transition: str | None = None  # a transition's route: its name
    custom: str | None = None  # a custom action's route: its name


@dataclass(frozen=True)
class CacheDesign:
    """How long an entity's rows and list pages may be served from the cache."""

    ttl_seconds: int


@dataclass(frozen=True)
class Invalidation:
    """The cached entities (by plural name) whose entries a write makes stale.

    ``on_write``: create, replace, update. ``on_delete``: the entity itself and every
    entity its delete changes in the database too (cascaded or nulled children, rows
    linked through a junction). ``on_link``: per many-to-many relation, both sides.
    Empty when nothing cached is affected, so uncached entities never touch the cache.
    """

    on_write: tuple[str, ...] = ()
    on_delete: tuple[str, ...] = ()
    on_link: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (relation, entities)

    def for_link(self, relation: str) -> tuple[str, ...]:
        """The entities linking or unlinking through ``relation`` makes stale."""
        return dict(self.on_link).get(relation, ())


@dataclass(frozen=True)
class StatsKey:
    """A key the stats may group by: ``created_at:month`` groups ``created_at`` by month."""

    text: str  # as the spec and the query write it
    column: str
    type: ColumnType
    period: Literal["day", "month", "year"] | None = None


@dataclass(frozen=True)
class StatsMeasure:
    """A value each group of the stats answers: ``count``, or ``sum_total``."""

    key: str  # its name in the answer
    function: Literal["count", "sum", "avg", "min", "max"]
    column: str | None = None
    type: ColumnType | None = None
    scale: int | None = None  # a decimal's places: sums stay exact, averages keep 2 more


@dataclass(frozen=True)
class Aggregates:
    """``GET .../stats``: the keys it may group by and the measures it answers."""

    keys: tuple[StatsKey, ...]
    measures: tuple[StatsMeasure, ...]


@dataclass(frozen=True)
class CustomAction:
    """An operation on one row that the project owner's handler performs
    (``app/domain/<entity>.py``): ``POST .../{id}/<name>``, answered with the row."""

    name: str
    rule: Rule
    description: str = ""


@dataclass(frozen=True)
class Transition:
    """A move of a state field (an enum) from one of ``sources`` to ``target``.

    It is one conditional UPDATE (``... WHERE field IN sources``), so of two concurrent
    moves from the same state exactly one lands. ``now`` and ``today`` are datetime and
    date fields it sets to the time it happens; ``values``, fields it sets to fixed values
    (JSON text for dates, decimals and UUIDs, as column defaults are kept). ``event``
    (``order.paid``) is what jobs subscribe to.
    """

    name: str
    field: str
    sources: tuple[str, ...]
    target: str
    rule: Rule
    event: str
    now: tuple[str, ...] = ()
    today: tuple[str, ...] = ()
    values: tuple[tuple[str, Scalar], ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Entity:
    """A resource: its table, its API fields, relations, rules and routes."""

    name: str  # Post
    snake: str  # post
    plural: str  # posts
    title: str  # "Post"
    table: Table
    fields: tuple[EntityField, ...]
    relations: tuple[Relation, ...]
    permissions: dict[str, Rule]  # action -> rule
    owner: bool
    soft_delete: bool
    nested_under: str | None  # parent entity name
    nested_column: str | None  # the foreign key to the parent
    filters: tuple[str, ...]  # column names
    sort: tuple[str, ...]  # column names, clients may prefix with '-'
    default_sort: str  # e.g. "-created_at"
    collection_path: str
    item_path: str
    routes: tuple[Route, ...] = field(default=())
    description: str = ""
    rate_limits: RateLimits | None = None  # the service's, with this entity's overrides
    rate_limit_overrides: tuple[tuple[str, str], ...] = ()  # (class, rate) the spec set
    cache: CacheDesign | None = None  # None: reads always go to the database
    invalidation: Invalidation = Invalidation()
    transitions: tuple[Transition, ...] = ()  # the state machines' moves, in spec order
    actions: tuple[CustomAction, ...] = ()  # custom operations on one row, in spec order
    aggregates: Aggregates | None = None  # None: no stats route
    pagination: Literal["page", "cursor"] = "page"  # how its lists are paged

    @property
    def keyset(self) -> bool:
        """Whether its lists are paged by cursor (keyset) rather than page number."""
        return self.pagination == "cursor"

    def transition(self, name: str) -> Transition:
        """The transition called ``name``."""
        for move in self.transitions:
            if move.name == name:
                return move
        raise KeyError(name)

    @property
    def writable_fields(self) -> tuple[EntityField, ...]:
        """Fields a client may set."""
        return tuple(f for f in self.fields if f.writable)

    @property
    def readable_fields(self) -> tuple[EntityField, ...]:
        """Fields that appear in responses."""
        return tuple(f for f in self.fields if f.readable)

    def field(self, name: str) -> EntityField:
        """The API field called ``name``."""
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)


@dataclass(frozen=True)
class AuthDesign:
    """Accounts, sessions, refresh tokens, roles and the password policy.

    A session is one login and a family of refresh tokens: each refresh uses up one
    token and issues the next; presenting a used one again revokes the session.
    """

    roles: tuple[str, ...]
    default_role: str
    admin_role: str | None
    access_ttl_seconds: int
    refresh_ttl_seconds: int
    password_min_length: int
    password_max_length: int
    password_requires: tuple[str, ...]  # character classes: lowercase, uppercase, ...
    lockout_attempts: int
    lockout_window_seconds: int
    rate_limit: str  # "5/minute", for login and register
    users: Table
    sessions: Table
    refresh_tokens: Table

    @property
    def tables(self) -> tuple[Table, ...]:
        """The auth tables, parents first."""
        return (self.users, self.sessions, self.refresh_tokens)


@dataclass(frozen=True)
class PlatformDesign:
    """The tables a service keeps about its own writes.

    ``audit_log``: one row per write (who, what, when, which request), in the write's
    own transaction. ``idempotency_keys``: the stored response of each POST sent with
    an ``Idempotency-Key``, scoped to its user, so a retry is answered, not repeated.
    ``audit_role`` may read the audit log.
    """

    audit_log: Table
    idempotency_keys: Table
    audit_role: str
    idempotency_ttl_seconds: int

    @property
    def tables(self) -> tuple[Table, ...]:
        """The platform tables."""
        return (self.audit_log, self.idempotency_keys)


@dataclass(frozen=True)
class Job:
    """A background job: what starts it, and how it is retried.

    ``event`` (``user.registered``, ``post.created``...) or ``every_seconds`` starts it;
    a failed run is retried until ``attempts`` runs were made, ``backoff_seconds`` x 2^n
    apart (with jitter); then the job is dead and waits for an admin's replay.
    """

    name: str
    event: str | None
    every_seconds: int | None
    delay_seconds: int
    attempts: int
    backoff_seconds: int
    timeout_seconds: int
    description: str = ""


@dataclass(frozen=True)
class JobsDesign:
    """The jobs of a service, their queue table and the mail outbox their handlers use.

    ``queue``: one row per job to run, inserted in the transaction of the write that
    caused it. ``outbox``: one row per mail, unique per job, so a retried job never
    sends twice. ``admin_role`` lists and replays dead jobs.
    """

    jobs: tuple[Job, ...]
    queue: Table
    outbox: Table
    statuses: tuple[str, ...]
    admin_role: str

    @property
    def tables(self) -> tuple[Table, ...]:
        """The job tables."""
        return (self.queue, self.outbox)


@dataclass(frozen=True)
class Decision:
    """An architecture decision with its reasons, for ARCHITECTURE.md."""

    title: str
    choice: str
    reasons: tuple[str, ...]
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Counted:
    """A table whose live rows are counted by triggers into ``row_counts``.

    A live row has ``soft_delete_column`` NULL, or is any row when that is ``None``.
    The unfiltered, unscoped list of the table reads its total from the count.
    """

    table: str
    soft_delete_column: str | None = None


@dataclass(frozen=True)
class Blueprint:
    """Everything decided about a service."""

    name: str  # blog
    package: str  # python-safe project name, e.g. blog
    title: str
    description: str
    version: str
    api_prefix: str
    auth: AuthDesign
    platform: PlatformDesign
    entities: tuple[Entity, ...]
    junctions: tuple[Junction, ...]
    tables: tuple[Table, ...]  # every table, parents before children
    routes: tuple[Route, ...]  # every route, in a stable order
    decisions: tuple[Decision, ...]
    page_size: int
    max_page_size: int
    rate_limits: RateLimits = RateLimits(read="300/minute", write="60/minute")
    jobs: JobsDesign | None = None  # None: the spec declares no jobs
    counted: tuple[Counted, ...] = ()  # tables with trigger-kept live-row counts
    # Error codes the spec declares for its hooks: (code, status, description).
    domain_errors: tuple[tuple[str, int, str], ...] = ()
    graphql: bool = False  # the same rows over GraphQL at /graphql too
    realtime: bool = False  # a WebSocket feed of each entity's changes

    def entity(self, name: str) -> Entity:
        """The entity called ``name``."""
        for entity in self.entities:
            if entity.name == name:
                return entity
        raise KeyError(name)

    def queues(self, event: str) -> bool:
        """Whether some job runs on ``event`` (a write that causes it queues the job)."""
        return self.jobs is not None and any(job.event == event for job in self.jobs.jobs)
