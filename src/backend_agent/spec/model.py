"""The typed spec: what a user declares about the service they want.

The models are strict (unknown keys are errors) and frozen. Cross-references
(relation targets, filter names, roles in permissions) are checked by
``backend_agent.spec.checks`` so that every problem is reported at once.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from backend_agent.spec.values import (
    DEFAULT_PRECISION,
    DEFAULT_SCALE,
    json_form,
    normalise_value,
)

__all__ = [
    "ACTIONS",
    "DOMAIN_STATUSES",
    "FIELD_TYPES",
    "MAX_ENTITIES",
    "MAX_FIELDS",
    "MAX_JOBS",
    "SEARCH_LANGUAGES",
    "ActionSpec",
    "AggregatesSpec",
    "AuthSpec",
    "CacheSpec",
    "CharacterClass",
    "EntitySpec",
    "ErrorSpec",
    "FieldSpec",
    "FieldType",
    "JobSpec",
    "LockoutSpec",
    "OnDelete",
    "PermissionsSpec",
    "RateLimitsSpec",
    "RelationSpec",
    "SearchSpec",
    "ServiceSpec",
    "TransitionSpec",
    "parse_duration",
]

FieldType = Literal[
    "string",
    "text",
    "integer",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "enum",
    "uuid",
    "email",
    "url",
    "json",
]
FIELD_TYPES: tuple[str, ...] = FieldType.__args__  # type: ignore[attr-defined]
OnDelete = Literal["cascade", "set_null", "restrict"]
CharacterClass = Literal["lowercase", "uppercase", "digit", "symbol"]
ACTIONS: tuple[str, ...] = ("list", "read", "create", "update", "delete")

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_NAME = r"^[A-Za-z][A-Za-z0-9_]*$"
_ENTITY_NAME = r"^[A-Z][A-Za-z0-9]*$"
_FIELD_NAME = r"^[a-z][a-z0-9_]*$"
# How much one spec may declare: far beyond a real service, and small enough that
# design and generation stay a matter of seconds.
MAX_ENTITIES = 100
MAX_FIELDS = 200
MAX_JOBS = 100


def parse_duration(text: str | int) -> int:
    """Seconds in a duration such as ``30s``, ``15m``, ``24h`` or ``7d``."""
    if isinstance(text, int):
        return text
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a duration such as 30s, 15m, 24h or 7d")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _seconds(value: Any) -> Any:
    return parse_duration(value) if isinstance(value, str) else value


# A number of seconds, or a text such as 15m.
Duration = Annotated[int, Field(gt=0), BeforeValidator(_seconds)]
Delay = Annotated[int, Field(ge=0), BeforeValidator(_seconds)]
_RATE = re.compile(r"^[1-9][0-9]*/(second|minute|hour|day)$")


def _rate(value: str) -> str:
    if not _RATE.match(value):
        raise ValueError("a rate limit looks like 5/minute (second, minute, hour or day)")
    return value


Rate = Annotated[str, AfterValidator(_rate)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FieldSpec(_Strict):
    """One column the user declares; ``body: text`` is shorthand for ``{type: text}``."""

    type: FieldType
    required: bool = False
    nullable: bool = False
    default: Any = None
    unique: bool = False
    index: bool = False
    min_length: Annotated[int, Field(ge=0)] | None = None
    max_length: Annotated[int, Field(gt=0)] | None = None
    pattern: str | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    precision: Annotated[int, Field(gt=0, le=38)] | None = None
    scale: Annotated[int, Field(ge=0, le=38)] | None = None
    values: tuple[str, ...] | None = None
    description: str | None = None
    example: Any = None
    renamed_from: Annotated[str, Field(pattern=_FIELD_NAME)] | None = None
    # Field-level permissions: the roles that see the field in responses (others never
    # get it), and the roles that may set it (others sending it get 403). None: whoever
    # may read (write) the row.
    read: tuple[str, ...] | None = Field(
        default=None,
        min_length=1,
        description="Roles that see this field in responses; absent for every other caller.",
    )
    write: tuple[str, ...] | None = Field(
        default=None,
        min_length=1,
        description="Roles that may set this field; any other caller sending it gets 403.",
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"type": data} if isinstance(data, str) else data

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"pattern does not compile: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if self.type == "decimal":
            precision = self.precision or DEFAULT_PRECISION
            scale = self.scale if self.scale is not None else DEFAULT_SCALE
            if scale > precision:
                raise ValueError(
                    f"scale ({scale}) is greater than precision ({precision}): a decimal "
                    "keeps at most as many places after the point as it has digits"
                )
        for key in ("default", "example"):
            value = getattr(self, key)
            if value is None or (self.type == "enum" and not self.values):
                continue  # no value; or the missing enum values are reported on their own
            try:
                normalised = normalise_value(self, value)
            except ValueError as exc:
                raise PydanticCustomError(
                    "field_value", "{key} {problem}", {"key": key, "problem": str(exc)}
                ) from None
            if key == "example":
                # An example is shown in JSON (OpenAPI, docs): the API's JSON form of it.
                normalised = json_form(normalised)
            # The model is frozen to its users; the loader settles the value once, here.
            object.__setattr__(self, key, normalised)
        return self


class RelationSpec(_Strict):
    """A link to another entity: exactly one of belongs_to, has_many, many_to_many."""

    belongs_to: str | None = None
    has_many: str | None = None
    many_to_many: str | None = None
    on_delete: OnDelete | None = None
    required: bool = True

    @model_validator(mode="after")
    def _exactly_one(self) -> RelationSpec:
        kinds = [k for k in ("belongs_to", "has_many", "many_to_many") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("a relation needs exactly one of belongs_to, has_many, many_to_many")
        if self.on_delete is not None and self.belongs_to is None:
            raise ValueError("on_delete applies to belongs_to relations only")
        return self

    @property
    def kind(self) -> str:
        """The relation kind: belongs_to, has_many or many_to_many."""
        if self.belongs_to:
            return "belongs_to"
        return "has_many" if self.has_many else "many_to_many"

    @property
    def target(self) -> str:
        """The entity this relation points at."""
        return self.belongs_to or self.has_many or self.many_to_many or ""


Permission = str | list[str]


class PermissionsSpec(_Strict):
    """Who may do what: anyone, authenticated, owner, owner_or_<role>, or a list of roles."""

    list: Permission | None = None
    read: Permission | None = None
    create: Permission | None = None
    update: Permission | None = None
    delete: Permission | None = None


class RateLimitsSpec(_Strict):
    """Requests per client and window: ``read`` for GET, ``write`` for POST/PUT/PATCH/DELETE."""

    read: Rate | None = None
    write: Rate | None = None


class CacheSpec(_Strict):
    """Serve reads of an entity from a cache for up to ``ttl``; ``cache: 60s`` is shorthand.

    Every write through the service invalidates the entity's cached rows and pages at
    once, so the TTL only bounds how long a change made outside the service (a manual
    SQL update) can stay unseen.
    """

    ttl: Duration = 60

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, bool):
            raise ValueError("cache takes a TTL such as 60s, or {ttl: 60s}")
        return {"ttl": data} if isinstance(data, str | int) else data


def _states(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


class TransitionSpec(_Strict):
    """A named move of a state field from some states to one: ``POST .../{id}/<name>``.

    ``permission`` defaults to the entity's update rule; ``set`` gives other fields a
    value in the same statement (``now`` for a date or datetime, ``null``, or a value).
    """

    sources: Annotated[tuple[str, ...], Field(min_length=1), BeforeValidator(_states)] = Field(
        alias="from"
    )
    to: str
    permission: Permission | None = None
    set: dict[Annotated[str, Field(pattern=_FIELD_NAME)], Any] = Field(default_factory=dict)
    description: str | None = None


class ActionSpec(_Strict):
    """A custom operation on one row: ``POST /api/v1/<plural>/{id}/<name>``, run by the
    handler of the same name in ``app/domain/<entity>.py`` (the owner's code).

    ``permission`` defaults to the entity's update rule; ``handler: true`` says the
    code is the owner's (the only kind there is).
    """

    method: Literal["POST"] = "POST"
    permission: Permission | None = None
    handler: Literal[True] = True
    description: str | None = None


class AggregatesSpec(_Strict):
    """``GET /api/v1/<plural>/stats``: counts and sums of the rows a caller may list,
    grouped by the keys asked for (``?group_by=status``), with the list's filters.

    ``group_by``: fields or belongs_to relations (``status``, ``customer``), dates and
    datetimes by a period (``created_at:month``, ``due_on:day``, ``paid_at:year``).
    ``measures``: ``count``, and ``sum``, ``avg``, ``min`` or ``max`` of a number field
    (``sum:total``); ``min`` and ``max`` of dates too.
    """

    group_by: tuple[str, ...] = ()
    measures: tuple[str, ...] = ("count",)


# The text search configurations PostgreSQL ships (pg_catalog.pg_ts_config).
SEARCH_LANGUAGES = (
    "simple", "arabic", "armenian", "basque", "catalan", "danish", "dutch", "english",
    "finnish", "french", "german", "greek", "hindi", "hungarian", "indonesian", "irish",
    "italian", "lithuanian", "nepali", "norwegian", "portuguese", "romanian", "russian",
    "serbian", "spanish", "swedish", "tamil", "turkish", "yiddish",
)  # fmt: skip


class SearchSpec(_Strict):
    """Full-text search over text fields: ``?q=`` on the list, best matches first.
    ``search: [title, body]`` is shorthand for ``{fields: [title, body]}``.

    ``language``: the stemming and stop words (PostgreSQL's text search configuration;
    on SQLite, English stems with the Porter stemmer, every other language matches
    whole words).
    """

    fields: tuple[Annotated[str, Field(pattern=_FIELD_NAME)], ...] = Field(min_length=1)
    language: Literal[SEARCH_LANGUAGES] = "english"  # type: ignore[valid-type]

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"fields": data} if isinstance(data, list | tuple) else data


# A state field's transitions by name.
Transitions = dict[Annotated[str, Field(pattern=_FIELD_NAME)], TransitionSpec]


class EntitySpec(_Strict):
    """A resource of the service: a table and its REST endpoints."""

    fields: dict[Annotated[str, Field(pattern=_FIELD_NAME)], FieldSpec] = Field(
        min_length=1, max_length=MAX_FIELDS
    )
    relations: dict[Annotated[str, Field(pattern=_FIELD_NAME)], RelationSpec] = Field(
        default_factory=dict, max_length=MAX_FIELDS
    )
    owner: bool = False
    permissions: PermissionsSpec = Field(default_factory=PermissionsSpec)
    filters: tuple[str, ...] = ()
    sort: tuple[str, ...] = ()
    soft_delete: bool = False
    nested_under: str | None = None
    plural: Annotated[str, Field(pattern=_FIELD_NAME)] | None = None
    description: str | None = None
    renamed_from: Annotated[str, Field(pattern=_ENTITY_NAME)] | None = None
    rate_limits: RateLimitsSpec = Field(default_factory=RateLimitsSpec)
    # Read-through cache of single rows and list pages; off unless the spec asks.
    cache: CacheSpec | None = None
    # State machines: per enum field, its transitions; the field is then written only by them.
    transitions: dict[Annotated[str, Field(pattern=_FIELD_NAME)], Transitions] = Field(
        default_factory=dict
    )
    # Grouped counts and sums of the rows a caller may list: GET .../stats.
    aggregates: AggregatesSpec | None = None
    # Full-text search over text fields: ?q= on the list.
    search: SearchSpec | None = None
    # How its lists are paged: page numbers (?page=, with the total), or opaque cursors
    # (?cursor=, keyset: stable under inserts, the same cost at any depth, no total).
    pagination: Literal["page", "cursor"] = Field(
        default="page",
        description="How the entity's lists are paged: 'page' (?page=&limit=, meta.total) "
        "or 'cursor' (?cursor=&limit=, meta.next_cursor and a Link header; stable while "
        "rows are added).",
    )
    # Custom operations on one row, each run by a handler in app/domain/<entity>.py.
    actions: dict[Annotated[str, Field(pattern=_FIELD_NAME)], ActionSpec] = Field(
        default_factory=dict
    )
    # Fields unique as a group ([[customer, sku]]): fields, belongs_to relations, or owner.
    unique_together: tuple[
        Annotated[tuple[Annotated[str, Field(pattern=_FIELD_NAME)], ...], Field(min_length=2)],
        ...,
    ] = Field(
        default=(), description="Groups of fields, belongs_to relations or owner, unique together."
    )
    # Comparisons every row satisfies ("ends_at > starts_at", "rating <= 5"), checked by
    # the API and by the database (backend_agent.spec.rules).
    rules: tuple[str, ...] = Field(
        default=(),
        description="Comparisons of two fields, or of a number field and a number, that "
        "every row satisfies: 'ends_at > starts_at', 'discount <= price', 'rating >= 1'.",
    )


class LockoutSpec(_Strict):
    """Lock an account after this many failed logins within the window."""

    attempts: Annotated[int, Field(gt=0)] = 5
    window: Duration = 900


class AuthSpec(_Strict):
    """Users, roles, tokens and the password policy.

    Passwords are bounded on both sides: at least ``password_min_length`` characters,
    at most ``password_max_length`` (never below 64, so passphrases fit; the bound caps
    the hashing work one request can ask for). ``password_requires`` lists the
    character classes a new password must contain. A password that contains the
    account's email is always refused.
    """

    roles: tuple[Annotated[str, Field(pattern=_FIELD_NAME)], ...] = ("admin", "user")
    default_role: str | None = None
    # The role that reads the audit log (and, when set, the default write rules' role);
    # unset: ``admin`` when declared, else the first role.
    admin_role: str | None = None
    token_ttl: Duration = 3600
    refresh_ttl: Duration = 14 * 86400
    password_min_length: Annotated[int, Field(ge=8, le=128)] = 8
    password_max_length: Annotated[int, Field(ge=64, le=1024)] = 128
    password_requires: tuple[CharacterClass, ...] = ()
    lockout: LockoutSpec = Field(default_factory=LockoutSpec)
    rate_limit: Rate = "5/minute"

    @field_validator("password_requires")
    @classmethod
    def _distinct(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("each character class may be listed once")
        return value

    @model_validator(mode="after")
    def _password_bounds(self) -> AuthSpec:
        if self.password_max_length < self.password_min_length:
            raise ValueError("password_max_length must be at least password_min_length")
        return self


# An event a job can run on: user.registered, <entity>.created|updated|deleted, or
# <entity>.<state> for a state a transition moves the entity's rows to (checked with the
# entities, in backend_agent.spec.checks).
_EVENT = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def _event(value: str) -> str:
    if not _EVENT.match(value):
        raise ValueError(
            "an event looks like user.registered, <entity>.created|updated|deleted "
            "or <entity>.<state>"
        )
    return value


Event = Annotated[str, AfterValidator(_event)]


class JobSpec(_Strict):
    """A background job: run after an event (``on``) or on a schedule (``every``).

    A failed run is retried up to ``attempts`` runs in all, after ``backoff``, twice
    that, four times that... (with jitter); each run may last ``timeout``. ``delay``
    holds an event's job back before its first run.
    """

    on: Event | None = None
    every: Duration | None = None
    delay: Delay = 0
    attempts: Annotated[int, Field(gt=0, le=100)] = 3
    backoff: Duration = 10
    timeout: Duration = 60
    description: str | None = None

    @model_validator(mode="after")
    def _one_trigger(self) -> JobSpec:
        if (self.on is None) == (self.every is None):
            raise ValueError("a job needs exactly one of 'on' (an event) or 'every' (a period)")
        if self.every is not None and self.delay:
            raise ValueError("delay applies to jobs run on an event, not to scheduled ones")
        return self


# Statuses a domain error may take: the client's mistakes that HTTP leaves to the
# service (not those with a protocol meaning of their own: 401, 405, 412, 415, 429...).
DOMAIN_STATUSES = (400, 402, 403, 404, 409, 410, 422, 423, 424)


class ErrorSpec(_Strict):
    """An error code the hooks of ``app/domain`` may raise: its status and meaning.

    ``OUT_OF_STOCK: {status: 409, description: Not enough stock}``; ``OUT_OF_STOCK: 409``
    is shorthand.
    """

    status: int = 422
    description: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"status": data} if isinstance(data, int) and not isinstance(data, bool) else data

    @field_validator("status")
    @classmethod
    def _client_status(cls, value: int) -> int:
        if value not in DOMAIN_STATUSES:
            allowed = ", ".join(map(str, DOMAIN_STATUSES))
            raise ValueError(f"a domain error's status is one of {allowed}")
        return value


class ServiceSpec(_Strict):
    """The whole service."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=60)]
    title: str | None = None
    description: str | None = None
    version: str = "0.1.0"
    auth: AuthSpec = Field(default_factory=AuthSpec)
    entities: dict[Annotated[str, Field(pattern=_ENTITY_NAME)], EntitySpec] = Field(
        min_length=1, max_length=MAX_ENTITIES
    )
    page_size: Annotated[int, Field(gt=0, le=1000)] = 20
    max_page_size: Annotated[int, Field(gt=0, le=1000)] = 100
    # The same rows over GraphQL at /graphql (app/schema.graphql), through the same services.
    graphql: bool = False
    # Live change feeds: a WebSocket per entity at <prefix>/<plural>/events.
    realtime: bool = False
    # Service-wide defaults; an entity's own rate_limits override them for its endpoints.
    rate_limits: RateLimitsSpec = Field(
        default_factory=lambda: RateLimitsSpec(read="300/minute", write="60/minute")
    )
    # Background jobs by name; they run in a worker, after the write that caused them commits.
    jobs: dict[Annotated[str, Field(pattern=_FIELD_NAME)], JobSpec] = Field(
        default_factory=dict, max_length=MAX_JOBS
    )
    # Error codes the hooks in app/domain raise (app/core/domain.py has a class of each).
    errors: dict[Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=60)], ErrorSpec] = (
        Field(default_factory=dict, max_length=100)
    )
