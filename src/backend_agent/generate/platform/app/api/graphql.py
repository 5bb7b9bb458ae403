"""GraphQL at ``/graphql``: the rows of ``app/schema.graphql``, read and written through
the same services as REST.

Every operation calls the function its REST route calls (app/services), after the
same rule (401, 403) and with the same models validating what the client sent: the
permissions, ownership, audit log, cache and jobs of a write are the REST write's. A
failure is an entry of ``errors`` whose ``extensions.code`` is the REST envelope's code
(``NOT_FOUND``, ``VALIDATION_ERROR`` with ``details``...), never a traceback.

Documents are parsed and validated once (an LRU of the last 256), with limits on
depth (``GRAPHQL_MAX_DEPTH``), on the fields a document selects once its fragments are
spread (``GRAPHQL_MAX_FIELDS``: aliases and fragment bombs), on the rows its lists may
hold, lists in lists multiplied (``GRAPHQL_MAX_ROWS``), and introspection only where
``GRAPHQL_INTROSPECTION`` allows it (off in production by default). Lists keep the
REST page cap.

A relation field (``post { comments { ... } }``) of every row of a list is read for
all of them at once (:class:`Loader`): the statements of a query grow with its depth,
never with its rows, and ``db_statements_total`` on /metrics shows it. The schema is built from ``app/schema.graphql``, and each entity's
operations are bound to its services in ``app/api/graphql_entities.py``.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from inspect import isawaitable
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OperationType,
    build_schema,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import HTTPConnection
from starlette.responses import Response

from app.api.deps import OptionalUser, SessionDep, count_request
from app.api.graphql_limits import limits_rule
from app.api.graphql_loader import Loader
from app.api.realtime import Feed, TooFarBehind, next_change
from app.core.errors import (
    AppError,
    AuthenticationRequired,
    NotFoundError,
    ValidationFailed,
    field_name,
    integrity_failure,
)
from app.core.idempotency import Created
from app.core.pagination import MAX_PAGE_SIZE, PAGE_SIZE
from app.core.permissions import Rule, access, authorize
from app.core.responses import JSONResponse, etag
from app.repositories.base import Row
from app.schemas.auth import AuthUser

__all__ = [
    "Context",
    "CursorPaging",
    "GraphQLEntity",
    "Many",
    "Names",
    "One",
    "entry",
    "field_value",
    "graphql_router",
    "sort_value",
]

logger = logging.getLogger(__name__)

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"
MAX_QUERY_LENGTH = 20_000  # characters of one document
CACHED_DOCUMENTS = 256

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Names:
    """An entity's names in app/schema.graphql."""

    type: str  # Post
    item: str  # Query.post
    list: str  # Query.posts
    create: str  # Mutation.createPost
    update: str  # Mutation.updatePost
    delete: str  # Mutation.deletePost
    changed: str = ""  # Subscription.postChanged (with realtime)


@dataclass(frozen=True, slots=True)
class CursorPaging:
    """How a list paged by cursor opens the cursor a client sent and writes the next."""

    # The request comes first (a Request): app.api.paging.position and next_cursor.
    read: Callable[[Any, Any], Any]
    write: Callable[[Any, Any, Any], str | None]


@dataclass(frozen=True, slots=True)
class One:
    """A field holding the row a foreign key refers to (``Comment.post``): null when
    there is none or the caller may not read it."""

    field: str  # post
    column: str  # post_id: the foreign key on the rows of the type
    # The rows of many ids the caller may read (the target's SERVICE.get_many).
    load: Callable[
        [AsyncConnection, AuthUser | None, Sequence[uuid.UUID]], Awaitable[Mapping[uuid.UUID, Row]]
    ]


@dataclass(frozen=True, slots=True)
class Many:
    """A field holding the first rows of a list under each row (``Post.comments``,
    ``Post.tags``), with the list's ``sort`` and ``limit``."""

    field: str  # comments
    query: type[BaseModel]  # the target's list query model: sort and limit checked as REST
    # The first rows of each of many parents the caller may list; a parent left out
    # is one whose list REST answers 404 (``not_found``).
    load: Callable[..., Awaitable[Mapping[uuid.UUID, list[Row]]]]
    not_found: str = "Not found."


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphQLEntity:
    """One entity's operations, bound to the service functions its REST routes call."""

    names: Names
    rules: Mapping[str, Rule]
    query: type[BaseModel]  # the list's query model (PostQuery)
    get: Callable[[AsyncConnection, AuthUser | None, uuid.UUID], Awaitable[Row]]
    page: Callable[..., Awaitable[tuple[list[Row], Any]]]
    cursor: CursorPaging | None = None  # None: paged by page number, with a total
    create_body: type[BaseModel] | None = None
    create: Callable[..., Awaitable[Created]] | None = None
    create_needs_user: bool = True  # the REST create refuses anonymous callers (401)
    update_body: type[BaseModel] | None = None
    update: Callable[..., Awaitable[Row]] | None = None
    delete: Callable[..., Awaitable[None]] | None = None
    nested: tuple[One | Many, ...] = ()  # its relation fields
    feed: Feed | None = None  # with realtime: Subscription.<item>Changed sends its changes


@dataclass(frozen=True, slots=True)
class Context:
    """What every resolver of one request sees (a subscription's: the socket, no
    connection; it reads nothing but the changes it is sent)."""

    request: HTTPConnection
    db: AsyncConnection | None
    user: AuthUser | None
    loader: Loader = field(default_factory=Loader)


def _db(ctx: Context) -> AsyncConnection:
    if ctx.db is None:
        raise GraphQLError(
            "A subscription sends the changed row alone: read other rows over HTTP.",
            extensions={"code": "BAD_REQUEST"},
        )
    return ctx.db


# What a resolver is given besides its arguments.
Info = GraphQLResolveInfo[Context]


def sort_value(member: str) -> str:
    """The REST sort choice of a ``…Sort`` member: ``CREATED_AT_DESC`` is ``-created_at``."""
    head, _, direction = member.rpartition("_")
    return ("-" if direction == "DESC" else "") + head.lower()


# -- validation --------------------------------------------------------------------------


def _details(errors: Sequence[Mapping[str, Any]], prefix: str = "") -> list[dict[str, str]]:
    return [{"field": prefix + field_name(error), "message": str(error["msg"])} for error in errors]


def _validated(model: type[Model], values: Any, prefix: str) -> Model:
    """``values`` as ``model``, or 422 VALIDATION_ERROR naming each field as sent."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        details = [
            {"field": prefix + ".".join(map(str, e["loc"])), "message": str(e["msg"])}
            for e in error.errors()
        ]
        raise ValidationFailed(details=details) from None


def _row_id(value: str, argument: str = "id") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed(
            details=[{"field": argument, "message": "Input should be a valid UUID"}]
        ) from None


def _list_query(model: type[BaseModel], args: Mapping[str, Any]) -> BaseModel:
    values = dict(args.get("filter") or {})
    for name in ("page", "cursor", "limit", "q"):
        if args.get(name) is not None:
            values[name] = args[name]
    if args.get("sort") is not None:
        values["sort"] = sort_value(str(args["sort"]))
    try:
        return model.model_validate(values)
    except ValidationError as error:
        filters = set(args.get("filter") or ())
        details = []
        for e in error.errors():
            name = ".".join(map(str, e["loc"]))
            where = f"filter.{name}" if e["loc"][:1] and e["loc"][0] in filters else name
            details.append({"field": where, "message": str(e["msg"])})
        raise ValidationFailed(details=details) from None


# -- resolvers ---------------------------------------------------------------------------


async def _item(entity: GraphQLEntity, _: Any, info: Info, id: str) -> Row:
    ctx = info.context
    authorize(entity.rules["read"], ctx.user)
    row_id = _row_id(id)
    async with ctx.loader.lock:
        return await entity.get(_db(ctx), ctx.user, row_id)


async def _list(entity: GraphQLEntity, _: Any, info: Info, **args: Any) -> dict[str, Any]:
    ctx = info.context
    authorize(entity.rules["list"], ctx.user)
    query = _list_query(entity.query, args)
    if entity.cursor is None:
        async with ctx.loader.lock:
            rows, total = await entity.page(_db(ctx), ctx.user, query)
        return {"items": rows, "total": total}
    try:
        after = entity.cursor.read(ctx.request, query)
    except RequestValidationError as error:
        raise ValidationFailed(details=_details(error.errors())) from None
    async with ctx.loader.lock:
        rows, last = await entity.page(_db(ctx), ctx.user, query, after)
    return {"items": rows, "next_cursor": entity.cursor.write(ctx.request, query, last)}


async def _one(relation: One, source: Row, info: Info) -> Row | None:
    """The row ``source``'s foreign key refers to, read with those of its siblings."""
    target = source.get(relation.column)
    if target is None:
        return None
    ctx = info.context
    read = partial(relation.load, _db(ctx), ctx.user)
    found: Row | None = await ctx.loader.load(relation, read, target)
    return found


async def _many(relation: Many, source: Row, info: Info, **args: Any) -> list[Row]:
    """The first rows of the list under ``source``, read with those of its siblings."""
    ctx = info.context
    query = _list_query(relation.query, args)
    key = (relation, query.model_dump_json())
    read = partial(_read_lists, relation, ctx, query)
    found: list[Row] | None = await ctx.loader.load(key, read, source["id"])
    if found is None:
        raise NotFoundError(relation.not_found)
    return found


def _read_lists(
    relation: Many, ctx: Context, query: BaseModel, parents: list[uuid.UUID]
) -> Awaitable[Mapping[uuid.UUID, list[Row]]]:
    return relation.load(_db(ctx), ctx.user, parents, query)


async def _create(entity: GraphQLEntity, _: Any, info: Info, input: Any = None) -> Row:
    ctx = info.context
    authorize(entity.rules["create"], ctx.user)
    if entity.create_needs_user and ctx.user is None:
        raise AuthenticationRequired
    if entity.create is None or entity.create_body is None:
        raise RuntimeError(f"{info.field_name} is in the schema but not bound to a service")
    body = _validated(entity.create_body, input or {}, "input.")
    async with ctx.loader.lock:
        created: Created = await entity.create(_db(ctx), ctx.user, body, None)
    return dict(created.data)


async def _update(
    entity: GraphQLEntity,
    _: Any,
    info: Info,
    id: str,
    input: Any,
    ifMatch: str | None = None,
) -> Row:
    ctx = info.context
    authorize(entity.rules["update"], ctx.user)
    if entity.update is None or entity.update_body is None:
        raise RuntimeError(f"{info.field_name} is in the schema but not bound to a service")
    row_id = _row_id(id)
    body = _validated(entity.update_body, input, "input.")
    async with ctx.loader.lock:
        return await entity.update(_db(ctx), ctx.user, row_id, body, ifMatch)


async def _delete(
    entity: GraphQLEntity,
    _: Any,
    info: Info,
    id: str,
    ifMatch: str | None = None,
) -> bool:
    ctx = info.context
    authorize(entity.rules["delete"], ctx.user)
    if entity.delete is None:
        raise RuntimeError(f"{info.field_name} is in the schema but not bound to a service")
    row_id = _row_id(id)
    async with ctx.loader.lock:
        await entity.delete(_db(ctx), ctx.user, row_id, ifMatch)
    return True


async def _changes(feed: Feed, _: Any, info: Info) -> AsyncIterator[dict[str, Any]]:
    """Each committed change of ``feed``'s rows the caller may read, as the REST feed
    sends it (app/api/realtime.py); refused at once (401, 403) as REST refuses."""
    ctx = info.context
    authorize(feed.rule, ctx.user)
    return _watch(feed, ctx)


async def _watch(feed: Feed, ctx: Context) -> AsyncIterator[dict[str, Any]]:
    decision = access(feed.rule, ctx.user)
    app = ctx.request.app
    with app.state.events.watch(feed.entity) as watcher:
        while True:
            try:
                change = await next_change(watcher)
            except TooFarBehind:
                raise GraphQLError(
                    "Too far behind: subscribe again and read the rows again.",
                    extensions={"code": "TOO_SLOW"},
                ) from None
            seen = await feed.seen(app, ctx.user, decision, change)
            if seen is not None:
                row = None if seen.action == "deleted" else seen.data
                yield {"action": seen.action, "id": seen.id, "row": row}


def _change(payload: dict[str, Any], _: Info) -> dict[str, Any]:
    return payload


def field_value(source: Any, info: Info, **_: Any) -> Any:
    """A field of a row or page (a mapping): UUIDs as text, ``_etag`` of the row as
    the caller sees it (what REST sends as its ETag)."""
    if info.field_name == "_etag":
        return etag(source)
    value = source.get(info.field_name) if isinstance(source, Mapping) else None
    return str(value) if isinstance(value, uuid.UUID) else value


def bind(schema: GraphQLSchema, entities: Sequence[GraphQLEntity]) -> GraphQLSchema:
    """``schema`` with each entity's operations resolved by its services."""
    query = schema.query_type
    mutation = schema.mutation_type
    if query is None:
        raise RuntimeError("app/schema.graphql has no Query type")
    for entity in entities:
        names = entity.names
        query.fields[names.item].resolve = partial(_item, entity)
        query.fields[names.list].resolve = partial(_list, entity)
        for name, resolve in (
            (names.create, _create),
            (names.update, _update),
            (names.delete, _delete),
        ):
            if mutation is not None and name in mutation.fields:
                mutation.fields[name].resolve = partial(resolve, entity)
        subscription = schema.subscription_type
        if entity.feed is not None and subscription is not None:
            field_ = subscription.fields[names.changed]
            field_.subscribe = partial(_changes, entity.feed)
            field_.resolve = _change
        kind = schema.get_type(names.type)
        if not isinstance(kind, GraphQLObjectType):
            raise RuntimeError(f"app/schema.graphql has no type {names.type}")
        for relation in entity.nested:
            resolver = (
                partial(_one, relation) if isinstance(relation, One) else partial(_many, relation)
            )
            kind.fields[relation.field].resolve = resolver
    return schema


# -- execution ---------------------------------------------------------------------------


class GraphQLService:
    """The schema, its validation rules and the documents already checked."""

    def __init__(self, schema: GraphQLSchema, *, introspection: bool, **limits: int) -> None:
        self.schema = schema
        rules = [*specified_rules, limits_rule(**limits)]
        if not introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = tuple(rules)
        self._documents: OrderedDict[str, DocumentNode | list[GraphQLError]] = OrderedDict()

    def document(self, source: str) -> DocumentNode | list[GraphQLError]:
        """``source`` parsed and validated, or the errors that refuse it (cached)."""
        found = self._documents.get(source)
        if found is not None:
            self._documents.move_to_end(source)
            return found
        checked: DocumentNode | list[GraphQLError]
        try:
            parsed = parse(source)
        except GraphQLError as error:
            checked = [error]
        else:
            errors = validate(self.schema, parsed, self.rules)
            checked = list(errors) if errors else parsed
        self._documents[source] = checked
        if len(self._documents) > CACHED_DOCUMENTS:
            self._documents.popitem(last=False)
        return checked


def entry(error: GraphQLError) -> dict[str, Any]:
    """One entry of ``errors``: the REST code and details of what failed."""
    original = error.original_error
    if isinstance(original, IntegrityError):
        original = integrity_failure(original)
    extensions: dict[str, Any]
    if isinstance(original, AppError):
        message = original.message
        extensions = {"code": original.code}
        if original.details:
            extensions["details"] = original.details
    elif original is None:
        message = error.message
        extensions = {"code": "GRAPHQL_VALIDATION_FAILED", **(error.extensions or {})}
    else:
        logger.error("graphql resolver failed", exc_info=original)
        message, extensions = "An unexpected error occurred.", {"code": "INTERNAL_ERROR"}
    entry: dict[str, Any] = {"message": message, "extensions": extensions}
    if error.locations:
        entry["locations"] = [{"line": x.line, "column": x.column} for x in error.locations]
    if error.path:
        entry["path"] = error.path
    return entry


def _refused(status: int, errors: Sequence[GraphQLError]) -> JSONResponse:
    return JSONResponse({"errors": [entry(e) for e in errors]}, status_code=status)


def _bad_request(message: str) -> JSONResponse:
    return _refused(400, [GraphQLError(message, extensions={"code": "BAD_REQUEST"})])


async def _run(
    service: GraphQLService, request: Request, payload: Any, context: Context, *, read_only: bool
) -> Response:
    if not isinstance(payload, Mapping) or not isinstance(payload.get("query"), str):
        return _bad_request("Send an object with a query (a GraphQL document, as text).")
    source: str = payload["query"]
    variables = payload.get("variables")
    operation = payload.get("operationName")
    if len(source) > MAX_QUERY_LENGTH:
        return _bad_request(f"The query is longer than {MAX_QUERY_LENGTH} characters.")
    if variables is not None and not isinstance(variables, dict):
        return _bad_request("variables must be an object.")
    if operation is not None and not isinstance(operation, str):
        return _bad_request("operationName must be text.")
    document = service.document(source)
    chosen = None if isinstance(document, list) else get_operation_ast(document, operation)
    # Queries count as reads, mutations as writes, whichever method carried them.
    writes = chosen is not None and chosen.operation != OperationType.QUERY
    await count_request(request, "graphql", "write" if writes else "read")
    if isinstance(document, list):
        return _refused(400, document)
    if read_only and writes:
        return _refused(
            405,
            [
                GraphQLError(
                    "Only queries may be sent with GET.", extensions={"code": "METHOD_NOT_ALLOWED"}
                )
            ],
        )
    if chosen is not None and chosen.operation == OperationType.SUBSCRIPTION:
        return _bad_request("Subscriptions run over WebSocket at /graphql (graphql-transport-ws).")
    try:
        result = execute(
            service.schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=operation,
            field_resolver=field_value,
        )
        if isawaitable(result):
            result = await result
    finally:
        context.loader.close()
    if not isinstance(result, ExecutionResult):
        raise TypeError(f"graphql.execute gave {type(result).__name__}, not an ExecutionResult")
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [entry(e) for e in result.errors]
    body["data"] = result.data
    return JSONResponse(body, status_code=200 if result.data is not None else 400)


def graphql_router(service: GraphQLService) -> APIRouter:
    """``GET`` (queries) and ``POST`` (any operation) ``/graphql``, as ordinary routes:
    the app's middleware and ``dependency_overrides`` apply as to REST. They are rate
    limited under the scope ``graphql``, a query as a read and a mutation as a write."""
    router = APIRouter(tags=["graphql"])

    @router.post("/graphql", include_in_schema=False)
    async def graphql_post(request: Request, db: SessionDep, user: OptionalUser) -> Response:
        try:
            payload = json.loads(await request.body())
        except ValueError:
            return _bad_request('The body must be JSON: {"query": ..., "variables": ...}.')
        return await _run(service, request, payload, Context(request, db, user), read_only=False)

    @router.get("/graphql", include_in_schema=False)
    async def graphql_get(request: Request, db: SessionDep, user: OptionalUser) -> Response:
        params = request.query_params
        payload: dict[str, Any] = {"query": params.get("query")}
        if "variables" in params:
            try:
                payload["variables"] = json.loads(params["variables"])
            except ValueError:
                return _bad_request("variables must be JSON.")
        if "operationName" in params:
            payload["operationName"] = params["operationName"]
        return await _run(service, request, payload, Context(request, db, user), read_only=True)

    return router


def graphql_service(
    entities: Sequence[GraphQLEntity],
    *,
    introspection: bool,
    max_depth: int,
    max_fields: int,
    max_rows: int,
) -> GraphQLService:
    """The service's GraphQL schema, bound to ``entities``, with its limits (lists as
    long as REST pages: app.core.pagination)."""
    schema = bind(build_schema(SCHEMA_FILE.read_text("utf-8")), entities)
    return GraphQLService(
        schema,
        introspection=introspection,
        max_depth=max_depth,
        max_fields=max_fields,
        max_rows=max_rows,
        page_size=PAGE_SIZE,
        max_page_size=MAX_PAGE_SIZE,
    )
