"""The OpenAPI 3.1 document of a service: the one contract the generated app serves."""

from __future__ import annotations

from typing import Any

from backend_agent.design.blueprint import (
    Blueprint,
    Column,
    Entity,
    EntityField,
    Route,
    StatsMeasure,
    Transition,
)
from backend_agent.design.errors import error_codes
from backend_agent.design.metadata import decimal_bounds, decimal_step, integer_bounds
from backend_agent.design.openapi_examples import create_example, password_example
from backend_agent.design.openapi_jobs import jobs_list_params, jobs_responses, jobs_schemas
from backend_agent.design.openapi_parts import JSON, paging_params
from backend_agent.design.openapi_parts import envelope as _envelope
from backend_agent.design.openapi_parts import error as _error
from backend_agent.design.openapi_parts import ok as _ok
from backend_agent.design.openapi_parts import ref as _ref
from backend_agent.design.openapi_texts import (
    TAG_DESCRIPTIONS,
    operation_description,
    reads_token,
)
from backend_agent.design.queries import (
    LIST_PARAMETERS,
    MAX_SEARCH_LENGTH,
    RELEVANCE,
    SEARCH_DESCRIPTION,
    SEARCH_PARAMETER,
    list_filters,
)

__all__ = ["field_schema", "openapi_document", "sort_varname", "transition_extension"]


# What a request's date-time must carry (app/schemas/types.py refuses the rest).
NAIVE_DATETIME_REFUSED = (
    "A date and time with its offset from UTC (RFC 3339, e.g. 2024-01-31T09:30:00Z); "
    "one without an offset is refused (422), never guessed."
)


def sort_varname(choice: str) -> str:
    """The enum member name generated clients give a sort choice (``x-enum-varnames``):
    ``-created_at`` is ``CREATED_AT_DESC`` (a leading '-' names nothing)."""
    return f"{choice.removeprefix('-')}_{'desc' if choice.startswith('-') else 'asc'}".upper()


def field_schema(column: Column, *, request: bool = False) -> JSON:
    """The JSON Schema of one column's values."""
    kind = column.type
    schema: JSON
    if kind == "uuid":
        schema = {"type": "string", "format": "uuid"}
    elif kind in ("string", "text", "email", "url"):
        schema = {"type": "string"}
        if kind == "email":
            schema["format"] = "email"
        if kind == "url":
            schema["format"] = "uri"
        if column.min_length:
            schema["minLength"] = column.min_length
        if column.max_length:
            schema["maxLength"] = column.max_length
        if column.pattern:
            schema["pattern"] = column.pattern
    elif kind == "integer":
        low, high = integer_bounds(column)
        schema = {"type": "integer", "minimum": low, "maximum": high}
    elif kind == "decimal":
        # Decimals travel as strings so no precision is lost; requests may send numbers.
        schema = {"type": ["string", "number"] if request else "string", "format": "decimal"}
        least, most = decimal_bounds(column)
        schema.update(minimum=float(least), maximum=float(most))
        if request:  # the places its scale keeps (a number that needs more is refused)
            schema["multipleOf"] = float(decimal_step(column))
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    elif kind == "datetime":
        schema = {"type": "string", "format": "date-time"}
        if request:
            schema["description"] = NAIVE_DATETIME_REFUSED
    elif kind == "enum":
        schema = {"type": "string", "enum": list(column.enum_values)}
    else:
        return {"description": "Any JSON value."}
    if column.nullable:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema["type"] = [*types, "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def _object(fields: list[tuple[str, JSON]], required: list[str], **extra: Any) -> JSON:
    schema: JSON = {"type": "object", "properties": dict(fields), "additionalProperties": False}
    if required:
        schema["required"] = required
    schema.update(extra)
    return schema


def _with_description(schema: JSON, field: EntityField, *, request: bool = True) -> JSON:
    roles = field.write_roles if request else field.read_roles
    said = None
    if roles is not None and request:
        said = f"Only roles {', '.join(roles)} may set it; anyone else sending it gets 403."
    elif roles is not None:
        said = f"Shown only to roles {', '.join(roles)}."
    if field.description or said:
        parts = (field.description, schema.get("description"), said)
        schema = {**schema, "description": " ".join(filter(None, parts))}
    if not request:
        return schema
    if field.column.default is not None:
        schema = {**schema, "default": field.column.default}
    return schema


def _entity_schemas(entity: Entity, *, nested_body: bool = False) -> dict[str, JSON]:
    read = [
        (f.name, _with_description(field_schema(f.column), f, request=False))
        if f.read_roles is not None
        else (f.name, field_schema(f.column))
        for f in entity.readable_fields
    ]
    writable = entity.writable_fields
    create = [
        (f.name, _with_description(field_schema(f.column, request=True), f)) for f in writable
    ]
    required = [f.name for f in writable if f.required]
    example = create_example(writable, entity.table.rules)
    # The rules between two fields a body must keep (checked with both in one body).
    rules = {"x-rules": [r.text for r in entity.table.rules]} if entity.table.rules else {}
    schemas = {
        # A field some callers may not read is absent from their responses.
        entity.name: _object(
            read, [f.name for f in entity.readable_fields if f.read_roles is None]
        ),
        f"{entity.name}Create": _object(
            create, required, **({"examples": [example]} if example else {}), **rules
        ),
        f"{entity.name}Update": _object(create, [], **rules),
        f"{entity.name}Response": _envelope(_ref(entity.name)),
        f"{entity.name}Page": _envelope(
            {"type": "array", "items": _ref(entity.name)}, page=True, cursor=entity.keyset
        ),
    }
    schemas.update(stats_schemas(entity))
    if entity.nested_column:
        nested = [item for item in create if item[0] != entity.nested_column]
        schemas[f"{entity.name}NestedCreate"] = _object(
            nested, [name for name in required if name != entity.nested_column], **rules
        )
    return schemas


def _common_schemas(blueprint: Blueprint) -> dict[str, JSON]:
    auth = blueprint.auth
    email = {"type": "string", "format": "email", "maxLength": 320}
    password = {
        "type": "string",
        "minLength": auth.password_min_length,
        "maxLength": auth.password_max_length,
        "description": _password_policy(auth.password_requires),
    }
    presented = {"type": "string", "minLength": 1, "maxLength": auth.password_max_length}
    user = _object(
        [
            ("id", {"type": "string", "format": "uuid"}),
            ("email", email),
            ("role", {"type": "string", "enum": list(auth.roles)}),
            ("created_at", {"type": "string", "format": "date-time"}),
        ],
        ["id", "email", "role", "created_at"],
    )
    tokens = _object(
        [
            ("access_token", {"type": "string"}),
            ("refresh_token", {"type": "string"}),
            ("token_type", {"const": "bearer"}),
            (
                "expires_in",
                {"type": "integer", "description": "Seconds until the access token expires."},
            ),
        ],
        ["access_token", "refresh_token", "token_type", "expires_in"],
    )
    credentials = _object(
        [("email", email), ("password", password)],
        ["email", "password"],
        examples=[
            {
                "email": "ada@example.com",
                "password": password_example(auth.password_min_length, auth.password_max_length),
            }
        ],
    )
    detail = _object(
        [("field", {"type": "string"}), ("message", {"type": "string"})], ["field", "message"]
    )
    error_body = _object(
        [
            ("code", {"type": "string", "enum": sorted(error_codes(blueprint))}),
            ("message", {"type": "string"}),
            ("details", {"type": "array", "items": _ref("ErrorDetail")}),
            ("timestamp", {"type": "string", "format": "date-time"}),
            ("requestId", {"type": "string"}),
        ],
        ["code", "message", "details", "timestamp", "requestId"],
    )
    return {
        "ErrorDetail": detail,
        "Error": {
            "type": "object",
            "properties": {"success": {"const": False}, "error": error_body},
            "required": ["success", "error"],
        },
        "PageMeta": _object(
            [
                ("page", {"type": "integer", "minimum": 1}),
                ("limit", {"type": "integer", "minimum": 1, "maximum": blueprint.max_page_size}),
                ("total", {"type": "integer", "minimum": 0}),
            ],
            ["page", "limit", "total"],
        ),
        **_cursor_meta(blueprint),
        "Credentials": credentials,
        "LoginRequest": _object([("email", email), ("password", presented)], ["email", "password"]),
        "PasswordChange": _object(
            [("current_password", presented), ("new_password", password)],
            ["current_password", "new_password"],
        ),
        "RefreshRequest": _object(
            [("refresh_token", {"type": "string", "minLength": 1})], ["refresh_token"]
        ),
        "User": user,
        "UserResponse": _envelope(_ref("User")),
        "TokenPair": tokens,
        "TokenPairResponse": _envelope(_ref("TokenPair")),
        **_audit_schemas(blueprint),
        **jobs_schemas(blueprint),
        "Health": _object([("status", {"type": "string"})], ["status"]),
        "HealthResponse": _envelope(_ref("Health")),
        **_readiness_schemas(blueprint),
    }


def _readiness_schemas(blueprint: Blueprint) -> dict[str, JSON]:
    """Readiness: each dependency's status and how long its check took."""
    check = _object(
        [
            ("status", {"type": "string", "enum": ["ok", "down", "disabled"]}),
            ("latency_ms", {"type": ["number", "null"], "minimum": 0}),
        ],
        ["status", "latency_ms"],
    )
    names = ["database", "replica", "redis", *(["queue"] if blueprint.jobs else [])]
    checks = _object([(name, _ref("ReadinessCheck")) for name in names], names)
    readiness = _object(
        [
            (
                "status",
                {
                    "type": "string",
                    "enum": ["ok", "degraded"],
                    "description": "degraded: an optional dependency (Redis) is down; the "
                    "service falls back and stays ready.",
                },
            ),
            ("checks", checks),
        ],
        ["status", "checks"],
    )
    return {
        "ReadinessCheck": check,
        "Readiness": readiness,
        "ReadinessResponse": _envelope(_ref("Readiness")),
    }


def _cursor_meta(blueprint: Blueprint) -> dict[str, JSON]:
    """``CursorMeta``, the paging metadata of a list paged by cursor, when one is."""
    if not any(entity.keyset for entity in blueprint.entities):
        return {}
    limit = {"type": "integer", "minimum": 1, "maximum": blueprint.max_page_size}
    after = {
        "type": ["string", "null"],
        "description": "The cursor of the next page (give it as ?cursor=); null on the last.",
    }
    return {
        "CursorMeta": _object([("limit", limit), ("next_cursor", after)], ["limit", "next_cursor"])
    }


def _path_params(path: str) -> list[JSON]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [
        {"name": n, "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
        for n in names
    ]


def _list_params(blueprint: Blueprint, entity: Entity, *, skip: str | None = None) -> list[JSON]:
    sorts = [v for s in entity.sort for v in (s, f"-{s}")]
    if entity.table.search is not None:
        sorts.append(RELEVANCE)
    params: list[JSON] = [
        *paging_params(blueprint, cursor=entity.keyset),
        {
            "name": "sort",
            "in": "query",
            "description": "A sort field; prefix with '-' for descending order.",
            "schema": {
                "type": "string",
                "enum": sorts,
                # Readable names for generated clients (a leading '-' names nothing).
                "x-enum-varnames": [sort_varname(v) for v in sorts],
                "default": entity.default_sort,
            },
        },
    ]
    if entity.table.search is not None:
        params.append(
            {
                "name": SEARCH_PARAMETER,
                "in": "query",
                "description": SEARCH_DESCRIPTION,
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_SEARCH_LENGTH},
            }
        )
    schemas: dict[str, JSON] = {}
    for item in list_filters(entity):
        if item.field == skip:
            continue
        if item.field not in schemas:
            schemas[item.field] = field_schema(entity.field(item.field).column, request=True)
            schemas[item.field].pop("pattern", None)
        params.append(
            {
                "name": item.param,
                "in": "query",
                "schema": schemas[item.field],
                "description": item.description,
            }
        )
    return params


def _stats_params(blueprint: Blueprint, entity: Entity) -> list[JSON]:
    """``group_by`` (repeatable), then the list's filters."""
    assert entity.aggregates is not None
    keys = [key.text for key in entity.aggregates.keys]
    group_by: JSON = {
        "name": "group_by",
        "in": "query",
        "description": "A key to group by; repeat it to group by several. None: one row.",
        "schema": {"type": "array", "items": {"type": "string", "enum": keys}, "default": []},
        "style": "form",
        "explode": True,
    }
    listed = _list_params(blueprint, entity)
    return [group_by, *(p for p in listed if p["name"] not in LIST_PARAMETERS)]


def stats_schemas(entity: Entity) -> dict[str, JSON]:
    """``<Entity>StatsRow`` (a group's key values and measures) and its envelope."""
    if entity.aggregates is None:
        return {}
    group: JSON = {}
    for key in entity.aggregates.keys:
        if key.period is not None:
            schema: JSON = {"type": ["string", "null"], "description": f"The {key.period}."}
        else:
            schema = _nullable(field_schema(entity.table.column(key.column)))
            schema.pop("enum", None)
        group[key.text] = schema
    values: list[tuple[str, JSON]] = [
        ("group", _object(list(group.items()), [], description="The group's key values."))
    ]
    for measure in entity.aggregates.measures:
        values.append((measure.key, _measure_schema(measure, entity)))
    row = _object(values, [name for name, _ in values])
    return {
        f"{entity.name}StatsRow": row,
        f"{entity.name}Stats": _envelope(
            {"type": "array", "items": _ref(f"{entity.name}StatsRow")}
        ),
    }


def _nullable(schema: JSON) -> JSON:
    """``schema`` that also takes null (a group of no value, a measure of no row)."""
    kind = schema.get("type", "string")
    kinds = kind if isinstance(kind, list) else [kind]
    return {**schema, "type": [*kinds, *([] if "null" in kinds else ["null"])]}


def _measure_schema(measure: StatsMeasure, entity: Entity) -> JSON:
    if measure.function == "count":
        return {"type": "integer", "minimum": 0}
    assert measure.column is not None
    column = entity.table.column(measure.column)
    if measure.function in ("min", "max"):
        return _nullable(field_schema(column))
    if measure.function == "sum" and column.type == "integer":
        return {"type": ["integer", "null"]}
    # Decimal text: sums exact, averages with two places more than the field keeps.
    return {"type": ["string", "null"], "format": "decimal"}


def _operation(blueprint: Blueprint, route: Route) -> JSON:
    entity = blueprint.entity(route.entity) if route.entity else None
    op: JSON = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "description": operation_description(blueprint, route),
        "tags": [route.tag],
    }
    params = _path_params(route.path)
    responses: JSON = {}
    body: str | None = None
    action = route.action
    forbidding = ("roles", "owner", "owner_or_roles")
    forbids = route.rule.kind in forbidding
    if entity is not None and action in ("create", "create_nested", "replace", "update"):
        # A field only some roles may set: 403 for anyone else who sends it.
        forbids = forbids or any(f.write_roles is not None for f in entity.writable_fields)
    if entity is not None:
        name = entity.name
        if action in ("list", "list_nested"):
            params += _list_params(blueprint, entity, skip=route.relation)
            responses["200"] = _ok(f"{name}Page", f"A page of {entity.plural}.", link=entity.keyset)
        elif action == "list_related":
            target = blueprint.entity(
                next(r.target for r in entity.relations if r.name == route.relation)
            )
            params += _list_params(blueprint, target)
            responses["200"] = _ok(
                f"{target.name}Page", f"A page of {target.plural}.", link=target.keyset
            )
            # The related rows are listed under the target's list rule as well.
            forbids = forbids or target.permissions["list"].kind in forbidding
        elif action in ("create", "create_nested"):
            body = f"{name}NestedCreate" if action == "create_nested" else f"{name}Create"
            responses["201"] = _ok(f"{name}Response", "Created.", location=True)
        elif action == "stats":
            params += _stats_params(blueprint, entity)
            responses["200"] = _ok(f"{name}Stats", "One row per group (one row in all, ungrouped).")
        elif action == "read":
            responses["200"] = _ok(f"{name}Response", "Found.")
        elif action in ("replace", "update"):
            body = f"{name}Create" if action == "replace" else f"{name}Update"
            responses["200"] = _ok(f"{name}Response", "Updated.")
        elif action == "transition":
            move = entity.transition(route.transition or "")
            responses["200"] = _ok(f"{name}Response", f"Moved to `{move.target}`.")
            responses["409"] = _error(
                f"INVALID_TRANSITION: the {entity.title.lower()} is not "
                f"{_states(move.sources)}; the message names its current `{move.field}`."
            )
            op.update(transition_extension(move))
        elif action == "custom":
            responses["200"] = _ok(f"{name}Response", "Done: the row as the action left it.")
            responses["501"] = _error(
                f"NOT_IMPLEMENTED: `{route.custom}` is not in app/domain/{entity.snake}.py yet."
            )
        else:
            responses["204"] = _ok(None, "Done.")
    elif action.startswith("jobs_"):
        responses = jobs_responses(action)
    else:
        body, responses = _auth_operation(action)
    params += _header_params(action)
    _document_headers(action, responses)
    if action == "audit_list":
        params += _audit_params(blueprint)
    if action == "jobs_list":
        params += jobs_list_params(blueprint)
    if body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    if params:
        op["parameters"] = params
    if route.rule.needs_user:
        op["security"] = [{"bearerAuth": []}]
        responses["401"] = _error("Missing, invalid or expired token.")
    elif reads_token(route):
        # Anonymous or signed in: the empty requirement makes the token optional.
        op["security"] = [{}, {"bearerAuth": []}]
        responses["401"] = _error("An invalid or expired token (send none to act anonymously).")
    else:
        op["security"] = []
    if forbids or action in (
        "replace",
        "update",
        "delete",
        "link",
        "unlink",
        "transition",
        "custom",
    ):
        responses["403"] = _error("Signed in, but not allowed to do this.")
    if "{" in route.path:
        responses["404"] = _error("No such resource, or not visible to you.")
    if body or action in ("create", "create_nested", "replace", "update", "link") or params:
        responses["422"] = _error("The request is not valid; details name each field.")
    if action in _HOOKED:
        # A hook of app/domain (or the action's handler) may refuse the write.
        responses.setdefault("422", _error("Refused by a hook of the service (DOMAIN_ERROR)."))
        for code, status, text in blueprint.domain_errors:
            responses.setdefault(str(status), _error(f"{code}: {text}"))
    if body:
        responses["415"] = _error("The body is not JSON (UNSUPPORTED_MEDIA_TYPE).")
    if action in (
        "create",
        "create_nested",
        "replace",
        "update",
        "delete",
        "link",
        "auth_register",
    ):
        responses["409"] = _error("Conflicts with existing data.")
    if action in ("auth_login", "auth_register", "auth_password"):
        responses["429"] = _error("Too many attempts; see Retry-After.")
    if route.rate_limit:
        _document_rate_limit(route.rate_limit, responses)
    op["responses"] = dict(sorted(responses.items()))
    return op


# The writes that run hooks (app/core/hooks.py), and the custom actions' handlers.
_HOOKED = ("create", "create_nested", "replace", "update", "delete", "transition", "custom")

_RATE_LIMIT_HEADERS: JSON = {
    "RateLimit-Limit": {
        "description": "Requests allowed to this client in the current window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the window starts again.",
        "schema": {"type": "integer", "minimum": 0},
    },
}


def _document_rate_limit(rate: str, responses: JSON) -> None:
    """The RateLimit-* headers on successes, and the 429 with Retry-After."""
    for status, response in responses.items():
        if status.startswith("2"):
            response.setdefault("headers", {}).update(_RATE_LIMIT_HEADERS)
    too_many = _error(
        f"Too many requests (RATE_LIMITED: {rate} per client) or attempts; "
        "retry after Retry-After seconds."
    )
    too_many["headers"] = {
        "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "schema": {"type": "integer", "minimum": 1},
        },
        **_RATE_LIMIT_HEADERS,
    }
    responses["429"] = too_many


def _auth_operation(action: str) -> tuple[str | None, JSON]:
    table: dict[str, tuple[str | None, JSON]] = {
        "auth_register": ("Credentials", {"201": _ok("UserResponse", "The new account.")}),
        "auth_login": (
            "LoginRequest",
            {
                "200": _ok("TokenPairResponse", "A new session."),
                "401": _error("Wrong email or password."),
            },
        ),
        "auth_refresh": (
            "RefreshRequest",
            {
                "200": _ok("TokenPairResponse", "A rotated token pair."),
                "401": _error(
                    "Unknown, used or expired refresh token; a reused one revokes its session "
                    "(REFRESH_TOKEN_REUSED)."
                ),
            },
        ),
        "auth_logout": (None, {"204": _ok(None, "The session is revoked.")}),
        "auth_logout_all": (None, {"204": _ok(None, "Every session of the user is revoked.")}),
        "auth_password": (
            "PasswordChange",
            {"200": _ok("TokenPairResponse", "The password is changed; the only session is new.")},
        ),
        "auth_me": (None, {"200": _ok("UserResponse", "The signed-in user.")}),
        "audit_list": (None, {"200": _ok("AuditLogPage", "Audit rows, newest first.")}),
        "health_live": (None, {"200": _ok("HealthResponse", "Alive.")}),
        "health_ready": (
            None,
            {
                "200": _ok("ReadinessResponse", "Ready: each dependency's status and latency."),
                "503": _error(
                    "A required dependency (the database, its replica or the job queue) is "
                    "unreachable; the details list every check."
                ),
            },
        ),
    }
    return table[action]


_ETAG = {
    "description": "A strong validator of this representation; send it back in If-Match.",
    "schema": {"type": "string"},
}
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "Optional: the ETag the client last read (or `*`). When it no longer "
    "matches the stored row, nothing is written and the answer is 412 PRECONDITION_FAILED.",
    "schema": {"type": "string", "maxLength": 1024},
}
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Optional, signed-in callers only (ignored for anonymous ones): a retry "
    "with the same key and the same request gets the stored response back, marked "
    "`Idempotent-Replayed: true`, without a second write; the same key with another "
    "request is refused (422 IDEMPOTENCY_KEY_REUSED). Keys expire after 24 hours.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[\\x21-\\x7e]+$",
    },
}


def transition_extension(move: Transition) -> JSON:
    """``x-transition``: the state field a transition moves, from which states, to which."""
    return {"x-transition": {"field": move.field, "from": list(move.sources), "to": move.target}}


def _states(states: tuple[str, ...]) -> str:
    """```draft``` or ```draft`, `placed```: the states a transition starts from, in words."""
    named = [f"`{state}`" for state in states]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"


# Operations that honour If-Match (and answer 412 when it names another version).
_CONDITIONAL = ("replace", "update", "delete", "transition")


def _header_params(action: str) -> list[JSON]:
    if action in ("create", "create_nested"):
        return [_IDEMPOTENCY_KEY]
    if action in _CONDITIONAL:
        return [_IF_MATCH]
    return []


def _document_headers(action: str, responses: JSON) -> None:
    """ETag on reads and writes, the replay marker on creates, 412 on conditional writes."""
    if action in ("read", "replace", "update", "transition", "custom"):
        responses["200"].setdefault("headers", {})["ETag"] = _ETAG
    if action in ("create", "create_nested"):
        responses["201"]["headers"]["Idempotent-Replayed"] = {
            "description": "`true` when this is the stored response of an earlier request "
            "with the same Idempotency-Key.",
            "schema": {"type": "string", "enum": ["true"]},
        }
    if action in _CONDITIONAL:
        responses["412"] = _error("If-Match does not match the current ETag: reload and retry.")


def _audit_schemas(blueprint: Blueprint) -> dict[str, JSON]:
    actions = blueprint.platform.audit_log.column("action").enum_values
    uuid = {"type": "string", "format": "uuid"}
    entry = _object(
        [
            ("id", uuid),
            ("actor_id", {**uuid, "type": ["string", "null"]}),
            ("action", {"type": "string", "enum": list(actions)}),
            ("entity", {"type": "string"}),
            ("entity_id", uuid),
            ("request_id", {"type": ["string", "null"]}),
            ("detail", {"description": "What changed: field names, or the linked row."}),
            ("created_at", {"type": "string", "format": "date-time"}),
        ],
        ["id", "actor_id", "action", "entity", "entity_id", "request_id", "detail", "created_at"],
    )
    return {
        "AuditLogEntry": entry,
        "AuditLogPage": _envelope({"type": "array", "items": _ref("AuditLogEntry")}, page=True),
    }


def _audit_params(blueprint: Blueprint) -> list[JSON]:
    uuid = {"type": "string", "format": "uuid"}
    return [
        *paging_params(blueprint),
        {
            "name": "entity",
            "in": "query",
            "description": "Only rows of this collection: its name in the paths, such as "
            "`posts` in `/api/v1/posts`.",
            "schema": {"type": "string", "maxLength": 100},
        },
        {"name": "entity_id", "in": "query", "schema": uuid, "description": "Only this row."},
        {"name": "actor_id", "in": "query", "schema": uuid, "description": "Only this user's."},
    ]


def _password_policy(requires: tuple[str, ...]) -> str:
    """The password policy in words, for the schema of a password being set."""
    needs = f"; must contain {' and '.join(f'a {name} character' for name in requires)}"
    return f"A new password{needs if requires else ''}; may not contain the account's email."


def _error_reference(codes: dict[str, tuple[int, str]]) -> str:
    rows = "\n".join(
        f"| `{code}` | {status} | {text} |" for code, (status, text) in sorted(codes.items())
    )
    return f"\n\n## Error codes\n\n| code | status | meaning |\n|---|---|---|\n{rows}\n"


def openapi_document(blueprint: Blueprint) -> JSON:
    """The OpenAPI 3.1 document of the service described by ``blueprint``."""
    schemas = _common_schemas(blueprint)
    for entity in blueprint.entities:
        schemas.update(_entity_schemas(entity))
    paths: JSON = {}
    for route in blueprint.routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(blueprint, route)
    tags = [{"name": name, "description": text} for name, text in TAG_DESCRIPTIONS.items()] + [
        {"name": e.plural, "description": e.description or f"{e.title} resources."}
        for e in blueprint.entities
    ]
    if blueprint.jobs is not None:
        tags.append({"name": "jobs", "description": "Background jobs and their dead letters."})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": blueprint.title,
            "version": blueprint.version,
            "description": blueprint.description
            + "\n\nEvery response uses one envelope: `success`, then `data` (and `meta` on lists) "
            "or `error`." + _error_reference(error_codes(blueprint)),
        },
        # Relative: the paths are served where this document is.
        "servers": [{"url": "/", "description": "The host serving this document."}],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
