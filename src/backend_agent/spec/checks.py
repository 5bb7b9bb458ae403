"""Checks that need the whole spec: references between entities, fields and roles.

They run on the parsed YAML data even when the typed model rejected part of
it, so one run reports every problem. Values of the wrong shape are left to
the typed model and skipped here.
"""

from __future__ import annotations

import difflib
import keyword
import re
from collections.abc import Iterator
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from re import _parser  # the width of a pattern's matches
from typing import Any

from backend_agent.errors import Problem
from backend_agent.spec.model import ACTIONS, FIELD_TYPES
from backend_agent.spec.naming import plural, snake
from backend_agent.spec.source import SourceMap
from backend_agent.spec.values import DEFAULT_SCALE

__all__ = [
    "ENTITY_SCHEMA_SUFFIXES",
    "JOB_COLLECTIONS",
    "MODEL_MODULE_NAMES",
    "RESERVED_COLUMNS",
    "RESERVED_ENTITIES",
    "RESERVED_MODULES",
    "SERVICE_SCHEMAS",
    "SERVICE_TABLES",
    "check_permission",
    "check_references",
    "did_you_mean",
]

RESERVED_COLUMNS = frozenset({"id", "created_at", "updated_at", "deleted_at", "owner_id"})
# The service's own tables' classes: accounts, sessions, refresh tokens, the audit log,
# idempotency keys.
RESERVED_ENTITIES = frozenset(
    {"User", "Session", "RefreshToken", "AuditLog", "AuditLogEntry", "IdempotencyKey"}
)
# The API document's schemas for the service's own operations; an entity's schemas are
# its name and these suffixes of it.
SERVICE_SCHEMAS = frozenset(
    {
        "AuditLogEntry",
        "AuditLogPage",
        "Credentials",
        "CursorMeta",
        "Error",
        "ErrorDetail",
        "Health",
        "HealthResponse",
        "LoginRequest",
        "PageMeta",
        "PasswordChange",
        "Readiness",
        "ReadinessCheck",
        "ReadinessResponse",
        "RefreshRequest",
        "TokenPair",
        "TokenPairResponse",
        "User",
        "UserResponse",
    }
)
ENTITY_SCHEMA_SUFFIXES = (
    "",
    "Create",
    "NestedCreate",
    "Page",
    "Response",
    "Stats",
    "StatsRow",
    "Update",
)
# Names an entity's model module imports beside its class (``class Mapped(Base)`` cannot
# also annotate with SQLAlchemy's ``Mapped``); every other module reaches an entity's
# class through its module, so only these cannot be entity names.
MODEL_MODULE_NAMES = frozenset({"Any", "Decimal", "Mapped", "UTCDateTime"})
# Module names the generated project uses for itself (app/core, app/services/common, ...).
RESERVED_MODULES = frozenset(
    {
        "audit",
        "audit_log",
        "auth",
        "base",
        "cache",
        "cache_store",
        "cli",
        "common",
        "core",
        "docs",
        "errors",
        "headers",
        "health",
        "idempotency",
        "idempotency_key",
        "stats",
        "jobs",
        "metrics",
        "migrations",
        "platform",
        "ratelimit",
        "refresh_token",
        "security",
        "session",
        "types",
        "user",
    }
)
_TEXTUAL = frozenset({"string", "text", "email", "url"})
_NUMERIC = frozenset({"integer", "decimal"})
_ORDERED = _NUMERIC | {"date", "datetime"}


def did_you_mean(word: str, choices: list[str]) -> str:
    """A "did you mean" hint naming the choice closest to ``word``; "" when none is close."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _type_of(field: Any) -> Any:
    return field if isinstance(field, str) else _mapping(field).get("type")


def _sequence(value: Any) -> list[Any]:
    # A value of the wrong shape is the typed model's to report; here it names nothing.
    return value if isinstance(value, list) else []


def check_references(data: dict[str, Any], source: SourceMap) -> list[Problem]:
    """Every cross-reference problem in the spec data."""
    entities = _mapping(data.get("entities"))
    auth = _mapping(data.get("auth"))
    roles = [r for r in _sequence(auth.get("roles", ["admin", "user"])) if isinstance(r, str)]
    problems: list[Problem] = []
    for key in ("default_role", "admin_role"):
        role = auth.get(key)
        if isinstance(role, str) and role not in roles:
            problems.append(
                source.problem(
                    ("auth", key),
                    f"{key} '{role}' is not one of the roles",
                    expected="one of " + ", ".join(roles),
                    suggestion=did_you_mean(role, roles),
                )
            )
    plurals: dict[str, str] = {}
    for name, entity in entities.items():
        if not isinstance(entity, dict):
            continue
        if name in RESERVED_ENTITIES:
            problems.append(
                source.problem(
                    ("entities", name),
                    f"entity name '{name}' is reserved: the service defines a class of this name",
                    key=True,
                )
            )
        clash = sorted({f"{name}{suffix}" for suffix in ENTITY_SCHEMA_SUFFIXES} & SERVICE_SCHEMAS)
        reported = name in RESERVED_ENTITIES or snake(str(name)) in RESERVED_MODULES
        if clash and not reported:
            problems.append(
                source.problem(
                    ("entities", name),
                    f"entity name '{name}' would name the schema '{clash[0]}', which the API "
                    "document keeps for the service's own",
                    suggestion=f"call it {name}Item or {name}Record",
                    key=True,
                )
            )
        if name in MODEL_MODULE_NAMES:
            problems.append(
                source.problem(
                    ("entities", name),
                    f"entity name '{name}' clashes with a name its model module imports",
                    expected="a name other than " + ", ".join(sorted(MODEL_MODULE_NAMES)),
                    suggestion=f"call it {name}Item or {name}Entry",
                    key=True,
                )
            )
        if snake(str(name)) in RESERVED_MODULES:
            problems.append(
                source.problem(
                    ("entities", name),
                    f"entity name '{name}' clashes with a module of the generated project",
                    expected="a name other than " + ", ".join(sorted(RESERVED_MODULES)),
                    key=True,
                )
            )
        python_names = (str(name), snake(str(name)))
        if any(keyword.iskeyword(n) or keyword.issoftkeyword(n) for n in python_names):
            problems.append(
                source.problem(
                    ("entities", name),
                    f"entity name '{name}' (module '{snake(str(name))}') is a Python keyword",
                    suggestion=f"choose another name, such as '{name}Item'",
                    key=True,
                )
            )
        declared = entity.get("plural")
        plural = declared if isinstance(declared, str) and declared else _plural(str(name))
        if plural in plurals:
            problems.append(
                source.problem(
                    ("entities", name),
                    f"'{name}' and '{plurals[plural]}' would share the collection '{plural}'",
                    suggestion="set 'plural' on one of them",
                    key=True,
                )
            )
        plurals[plural] = str(name)
        problems.extend(_check_entity(str(name), entity, entities, roles, source))
    problems.extend(_check_jobs(_mapping(data.get("jobs")), entities, plurals, source))
    problems.extend(_check_tables(entities, plurals, source))
    problems.extend(_check_nesting(entities, source))
    return problems


def _check_tables(
    entities: dict[str, Any], plurals: dict[str, str], source: SourceMap
) -> Iterator[Problem]:
    """Entity and link tables leave the service's own tables alone and each other apart."""
    for collection, name in plurals.items():
        if collection in SERVICE_TABLES:
            yield source.problem(
                ("entities", name),
                f"'{name}' would share the table '{collection}' with the service's own",
                suggestion="set 'plural' to another name",
                key=True,
            )
    taken = {table: f"the entity '{name}'" for table, name in plurals.items()}
    for name, entity in entities.items():
        relations = _mapping(entity.get("relations")) if isinstance(entity, dict) else {}
        for rel_name, rel in relations.items():
            if not isinstance(rel, dict) or not isinstance(rel.get("many_to_many"), str):
                continue
            table = f"{snake(str(name))}_{rel_name}"
            other = taken.get(table) or ("the service" if table in SERVICE_TABLES else None)
            if other is not None:
                yield source.problem(
                    ("entities", name, "relations", rel_name),
                    f"the links of '{name}.{rel_name}' are kept in the table '{table}', "
                    f"which {other} uses too",
                    suggestion="rename the relation, or set 'plural' on the entity",
                    key=True,
                )
            taken[table] = f"the links of '{name}.{rel_name}'"


def _check_nesting(entities: dict[str, Any], source: SourceMap) -> Iterator[Problem]:
    """``nested_under`` chains end at a top-level entity: no entity is its own ancestor."""
    parents = {
        name: parent
        for name, entity in entities.items()
        if isinstance(entity, dict)
        and isinstance(parent := entity.get("nested_under"), str)
        and parent in entities
    }
    reported: set[str] = set()
    for start in parents:
        chain = [start]
        while chain[-1] in parents and parents[chain[-1]] not in chain:
            chain.append(parents[chain[-1]])
        if chain[-1] not in parents or start in reported:
            continue
        loop = chain[chain.index(parents[chain[-1]]) :]
        if start not in loop:
            continue  # a chain leading into a loop: the loop itself is reported
        reported.update(loop)
        path = " -> ".join([*loop, loop[0]])
        yield source.problem(
            ("entities", start, "nested_under"),
            f"nested_under makes a loop ({path}): a resource cannot be nested in itself",
            suggestion="leave nested_under off the top-level entity of the chain",
        )


def _plural(name: str) -> str:
    return plural(snake(name))


def _check_entity(
    name: str,
    entity: dict[str, Any],
    entities: dict[str, Any],
    roles: list[str],
    source: SourceMap,
) -> Iterator[Problem]:
    base = ("entities", name)
    fields = _mapping(entity.get("fields"))
    relations = _mapping(entity.get("relations"))
    for field_name, field in fields.items():
        yield from _check_field((*base, "fields", field_name), str(field_name), field, source)
    belongs = {
        r: _mapping(spec).get("belongs_to")
        for r, spec in relations.items()
        if isinstance(spec, dict)
    }
    for rel_name, rel in relations.items():
        yield from _check_relation(name, base, str(rel_name), rel, fields, entities, source)
    owner = entity.get("owner") is True
    columns = list(fields) + [f"{r}_id" for r, t in belongs.items() if t]
    if owner:
        columns.append("owner_id")
        if belongs.get("owner"):
            yield source.problem(
                (*base, "relations", "owner"),
                "relation 'owner' would be the column owner_id, which owner: true keeps for "
                "the account that owns each row",
                suggestion="call the relation something else (owner_record), or drop owner: true",
                key=True,
            )
    parent = entity.get("nested_under")
    if isinstance(parent, str):
        if parent not in entities:
            yield source.problem(
                (*base, "nested_under"),
                f"nested_under names an unknown entity '{parent}'",
                expected="one of " + ", ".join(entities),
                suggestion=did_you_mean(parent, list(entities)),
            )
        elif parent not in belongs.values():
            yield source.problem(
                (*base, "nested_under"),
                f"'{name}' is nested under '{parent}' but has no belongs_to relation to it",
                suggestion=f"add a relation such as {{belongs_to: {parent}}}",
            )
    # A JSON value has no equality or order the service could offer as a query parameter.
    documents = {f for f, spec in fields.items() if _type_of(spec) == "json"}
    filterable = list(fields) + [r for r, t in belongs.items() if t] + columns
    filterable = [c for c in filterable if c not in documents]
    filterable += ["owner_id"] if owner else []
    for key in ("filters", "sort"):
        for index, item in enumerate(_sequence(entity.get(key))):
            if isinstance(item, str) and item in documents:
                yield source.problem(
                    (*base, key, index),
                    f"'{item}' is a json field: a list cannot be filtered or sorted by it",
                    suggestion="filter or sort by a field of another type",
                )
    for index, item in enumerate(_sequence(entity.get("filters"))):
        if isinstance(item, str) and item not in filterable and item not in documents:
            yield source.problem(
                (*base, "filters", index),
                f"filter '{item}' is not a field or belongs_to relation of '{name}'",
                expected="one of " + ", ".join(dict.fromkeys(filterable)),
                suggestion=did_you_mean(item, filterable),
            )
    sortable = [*(f for f in fields if f not in documents), "created_at", "updated_at"]
    for index, item in enumerate(_sequence(entity.get("sort"))):
        if isinstance(item, str) and item not in sortable and item not in documents:
            yield source.problem(
                (*base, "sort", index),
                f"sort field '{item}' is not a field of '{name}'",
                expected="one of " + ", ".join(sortable),
                suggestion=did_you_mean(item, sortable),
            )
    for action, value in _mapping(entity.get("permissions")).items():
        if action in ACTIONS:
            yield from check_permission(
                (*base, "permissions", action), value, roles, owner=owner, source=source
            )


def _check_field(
    path: tuple[str, ...], name: str, field: Any, source: SourceMap
) -> Iterator[Problem]:
    if name in RESERVED_COLUMNS:
        yield source.problem(
            path,
            f"field name '{name}' is reserved: the service manages it",
            key=True,
        )
    if not isinstance(field, dict):
        return
    kind = field.get("type")
    if kind not in FIELD_TYPES:
        return  # the typed model reports the unknown type
    values = field.get("values")
    if kind == "enum" and not values:
        yield source.problem(path, f"enum field '{name}' needs 'values'", expected="values: [a, b]")
    if kind != "enum" and values is not None:
        yield source.problem((*path, "values"), "'values' applies to enum fields only")
    for key in ("min_length", "max_length", "pattern"):
        if key in field and kind not in _TEXTUAL:
            yield source.problem((*path, key), f"'{key}' applies to string-like fields only")
    for key in ("min", "max"):
        if key in field and kind not in _NUMERIC:
            yield source.problem((*path, key), f"'{key}' applies to integer and decimal fields")
    for key in ("precision", "scale"):
        if key in field and kind != "decimal":
            yield source.problem((*path, key), f"'{key}' applies to decimal fields only")
    yield from _check_bounds(path, field, "min_length", "max_length", source)
    yield from _check_bounds(path, field, "min", "max", source)
    yield from _check_pattern_length(path, field, source)
    if field.get("required") is True and field.get("nullable") is True:
        yield source.problem(path, f"field '{name}' cannot be both required and nullable")
    if kind in ("text", "json") and (field.get("unique") or field.get("index")):
        yield source.problem(path, f"a {kind} field cannot be unique or indexed")
    shortest = SHORTEST_MAX_LENGTH.get(kind)
    most = field.get("max_length")
    if shortest and isinstance(most, int) and not isinstance(most, bool) and most < shortest:
        yield source.problem(
            (*path, "max_length"),
            f"{'an' if kind == 'email' else 'a'} {kind} field needs a max_length of at least "
            f"{shortest}, room for real {'addresses' if kind == 'email' else 'links'} "
            f"({most} given)",
            suggestion=f"raise max_length to {shortest} or more, or drop it",
        )
    room = _distinct_values(kind, field)
    if field.get("unique") is True and room is not None and room < UNIQUE_ROOM:
        yield source.problem(
            (*path, "unique"),
            f"a unique {kind} field with {room} possible value{'s' if room != 1 else ''} "
            f"limits the table to {room} row{'s' if room != 1 else ''}",
            expected=f"room for at least {UNIQUE_ROOM:,} distinct values",
            suggestion="drop unique (index it instead)"
            + (", or widen min and max" if kind in _NUMERIC else ""),
        )
    # A required field's body always names it: its default is never taken.
    unique, default = field.get("unique") is True, field.get("default")
    if unique and default is not None and field.get("required") is not True:
        yield source.problem(
            (*path, "default"),
            "a unique field's default fits one row: every later create that leaves "
            "the field out would be refused (409)",
            suggestion="drop the default, or drop unique",
        )


# The narrowest email and url columns: room for short values (u10000@e.co,
# https://e.co/10000) across the rows a service holds.
SHORTEST_MAX_LENGTH = {"email": 12, "url": 20}

# A unique field must leave room for the rows a real table holds (and that the
# generated tests, the seed and the load gates write): booleans, enums and narrow
# numeric ranges do not.
UNIQUE_ROOM = 1000


def _distinct_values(kind: str, field: dict[str, Any]) -> int | None:
    """How many distinct values ``field`` can hold, when that is small enough to matter."""
    if kind == "boolean":
        return 2
    if kind == "enum":
        values = field.get("values")
        return len(values) if isinstance(values, list) else None
    low, high = field.get("min"), field.get("max")
    numbers = (int, float)
    if kind not in _NUMERIC or not isinstance(low, numbers) or not isinstance(high, numbers):
        return None
    if isinstance(low, bool) or isinstance(high, bool) or low > high:
        return None
    scale = field.get("scale", DEFAULT_SCALE) if kind == "decimal" else 0
    step = Decimal(1).scaleb(-scale) if isinstance(scale, int) and 0 <= scale <= 38 else None
    if step is None:
        return None
    first = (Decimal(str(low)) / step).to_integral_value(rounding=ROUND_CEILING)
    last = (Decimal(str(high)) / step).to_integral_value(rounding=ROUND_FLOOR)
    return max(int(last - first) + 1, 0)


def _anchored_widths(pattern: str) -> tuple[int, int] | None:
    """The fewest and most characters a pattern anchored at both ends lets a value have
    (None: not anchored so, or not a pattern Python reads)."""
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None  # the field model reports a pattern that does not compile
    items = [(str(op), str(arg)) for op, arg in parsed]
    if len(items) < 2 or items[0] not in (("AT", "AT_BEGINNING"), ("AT", "AT_BEGINNING_STRING")):
        return None
    if items[-1] not in (("AT", "AT_END"), ("AT", "AT_END_STRING")):
        return None
    low, high = parsed.getwidth()
    return int(low), int(high)


def _check_pattern_length(
    path: tuple[str, ...], field: dict[str, Any], source: SourceMap
) -> Iterator[Problem]:
    pattern, least, most = field.get("pattern"), field.get("min_length"), field.get("max_length")
    if not isinstance(pattern, str):
        return
    widths = _anchored_widths(pattern)
    if widths is None:
        return
    low, high = widths
    too_short = isinstance(least, int) and not isinstance(least, bool) and high < least
    too_long = isinstance(most, int) and not isinstance(most, bool) and low > most
    if too_short or too_long:
        span = (
            f"{low} character{'s' if low != 1 else ''}"
            if low == high
            else f"{low} to {high} characters"
        )
        yield source.problem(
            (*path, "pattern"),
            f"pattern {pattern!r} matches values of {span}, none of them within "
            f"min_length {least if least is not None else 0} and max_length "
            f"{most if most is not None else 'unbounded'}",
            suggestion="change the pattern or the lengths so that some value fits both",
        )


def _check_bounds(
    path: tuple[str, ...], field: dict[str, Any], low: str, high: str, source: SourceMap
) -> Iterator[Problem]:
    lo, hi = field.get(low), field.get(high)
    numbers = (int, float)
    if isinstance(lo, numbers) and isinstance(hi, numbers) and lo > hi:
        yield source.problem((*path, low), f"'{low}' ({lo}) is greater than '{high}' ({hi})")


def _check_relation(
    owner: str,
    base: tuple[str, ...],
    rel_name: str,
    rel: Any,
    fields: dict[str, Any],
    entities: dict[str, Any],
    source: SourceMap,
) -> Iterator[Problem]:
    if not isinstance(rel, dict):
        return
    path = (*base, "relations", rel_name)
    if rel_name in fields or f"{rel_name}_id" in fields:
        yield source.problem(path, f"relation '{rel_name}' clashes with a field", key=True)
    for kind in ("belongs_to", "has_many", "many_to_many"):
        target = rel.get(kind)
        if not isinstance(target, str):
            continue
        if target not in entities:
            yield source.problem(
                (*path, kind),
                f"{kind} names an unknown entity '{target}'",
                expected="one of " + ", ".join(entities),
                suggestion=did_you_mean(target, list(entities)),
            )
            continue
        if kind == "has_many":
            back = _mapping(_mapping(entities[target]).get("relations"))
            if not any(_mapping(r).get("belongs_to") == owner for r in back.values()):
                yield source.problem(
                    (*path, kind),
                    f"has_many '{target}' needs '{target}' to declare belongs_to: {owner}",
                )
    if rel.get("on_delete") == "set_null" and rel.get("required", True) is True:
        yield source.problem(
            (*path, "on_delete"),
            "on_delete: set_null needs the relation to be optional",
            suggestion="add required: false",
        )


def check_permission(
    path: tuple[str, ...], value: Any, roles: list[str], *, owner: bool, source: SourceMap
) -> Iterator[Problem]:
    """A problem when ``value`` names an unknown role or an owner rule without owners."""
    words = ["anyone", "authenticated", *(["owner"] if owner else [])]
    words += [f"owner_or_{r}" for r in roles] if owner else []
    if isinstance(value, list):
        for index, role in enumerate(value):
            if role not in roles:
                yield source.problem(
                    (*path, index),
                    f"unknown role '{role}'",
                    expected="one of " + ", ".join(roles),
                    suggestion=did_you_mean(str(role), roles),
                )
        return
    if not isinstance(value, str) or value in words:
        return
    if value.startswith("owner") and not owner:
        yield source.problem(
            path,
            f"'{value}' needs the entity to have an owner",
            suggestion="add owner: true to the entity",
        )
        return
    yield source.problem(
        path,
        f"unknown permission '{value}'",
        expected="anyone, authenticated, owner, owner_or_<role> or a list of roles",
        suggestion=did_you_mean(value, words + roles),
    )


# The classes and collections a service with jobs adds: app/models/jobs.py, /jobs.
JOB_ENTITIES = frozenset({"Job", "MailMessage"})
# The job tables, pgqueuer's among them (JOBS_ENGINE=pgqueuer adds its schema).
JOB_COLLECTIONS = frozenset(
    {"jobs", "mail_outbox", "pgqueuer", "pgqueuer_log", "pgqueuer_schedules", "pgqueuer_statistics"}
)
# The tables every generated service keeps for itself (accounts, sessions, the audit log,
# idempotency keys, live-row counts, Alembic's revision).
SERVICE_TABLES = frozenset(
    {
        "alembic_version",
        "audit_log",
        "idempotency_keys",
        "refresh_tokens",
        "row_counts",
        "sessions",
        "users",
    }
)
ENTITY_EVENTS = ("created", "updated", "deleted")


def _check_jobs(
    jobs: dict[str, Any], entities: dict[str, Any], plurals: dict[str, str], source: SourceMap
) -> Iterator[Problem]:
    """Each job's event names the user or an entity; job tables leave room for entities."""
    if not jobs:
        return
    for name in entities:
        if name in JOB_ENTITIES:
            yield source.problem(
                ("entities", name),
                f"entity name '{name}' is reserved: the service's jobs use a class of this name",
                key=True,
            )
    for collection, name in plurals.items():
        if collection in JOB_COLLECTIONS and name not in JOB_ENTITIES:
            yield source.problem(
                ("entities", name),
                f"'{name}' would share the table '{collection}' with the service's jobs",
                suggestion="set 'plural' to another name",
                key=True,
            )
    events = ["user.registered"] + [
        f"{snake(str(name))}.{what}"
        for name, entity in entities.items()
        for what in (*ENTITY_EVENTS, *_reached_states(entity))
    ]
    for job_name, job in jobs.items():
        event = _mapping(job).get("on")
        if isinstance(event, str) and event not in events and "." in event:
            subject = event.partition(".")[0]
            yield source.problem(
                ("jobs", job_name, "on"),
                f"event '{event}' is not one the service emits",
                expected="user.registered, <entity>.created|updated|deleted or "
                "<entity>.<state a transition moves it to>, with <entity> "
                "one of " + ", ".join(snake(str(n)) for n in entities)
                if subject != "user"
                else "user.registered",
                suggestion=did_you_mean(event, events)
                if subject != "user"
                else "did you mean 'user.registered'?",
            )


def _reached_states(entity: Any) -> list[str]:
    """The states an entity's transitions move its rows to (each one an event)."""
    return [
        str(move["to"])
        for machine in _mapping(_mapping(entity).get("transitions")).values()
        for move in _mapping(machine).values()
        if isinstance(move, dict) and isinstance(move.get("to"), str)
    ]
