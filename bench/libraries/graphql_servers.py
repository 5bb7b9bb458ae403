"""GraphQL as the generated app/api/graphql.py runs it (graphql-core 3.3.2 called
directly) against ``strawberry-graphql`` 0.341.3 and ``ariadne`` 1.1.1.

One operation is one request's GraphQL work, from the query text and its variables to
the response's ``{"data": ..., "errors": ...}`` dict (no HTTP, no JSON encoding), run to
completion on one event loop. Every variant serves the same schema (the ``Post`` part
of the blog example's generated app/schema.graphql, descriptions left out: checked
equal, printed), the same ``async def`` resolvers (read ``info.context``, parse the id,
await a stand-in fetch giving dict rows: UUIDs, datetimes, text), the same default field
resolver (``row.get(name)``, a UUID as text, as the generated ``_field``), the
``DateTime`` scalar passing datetimes through (as build_schema's does), and the same
validation rules: the spec's, the generated depth and field limits (8 and 500) and
introspection off. Cases:

* get by id: ``query($id: ID!) { post(id: $id) { id title body status published_at
  owner_id created_at updated_at } }``, one row;
* page of 20: ``{ posts(limit: 20) { items { id title status created_at } total } }``;
* get by id, parsed and validated on every request (no cache).

Variants, each as its documentation recommends:

* graphql-core: the generated path: ``build_schema`` on the SDL, resolvers set on
  ``schema.query_type.fields[name].resolve``, documents parsed and validated once in an
  LRU of 256 keyed by the query text, ``get_operation_ast``, then
  ``execute(schema, document, context_value=..., variable_values=...,
  field_resolver=_field)``;
* Strawberry: code-first types, ``StrawberryConfig(auto_camel_case=False,
  default_resolver=..., scalar_map={DateTime: ...})``, extensions as factories:
  ``ParserCache(maxsize=256)``, ``ValidationCache(maxsize=256)``,
  ``DisableIntrospection``, ``AddValidationRules([the generated limits rule])``;
  ``await schema.execute(...)``;
* Ariadne: ``make_executable_schema(SDL, QueryType)``, ``await ariadne.graphql(schema,
  data, introspection=False, validation_rules=[limits], query_parser=...,
  query_validator=..., field_resolver=_field)``, the parser and validator being an LRU
  of 256 written here (Ariadne has none built in; its documented memoizing validator
  sets an attribute on the document, which graphql-core 3.3's frozen nodes refuse:
  checked).

Behaviour checks: the same data from all three; introspection refused; the libraries'
own limits (Strawberry ``QueryDepthLimiter``, ``MaxAliasesLimiter``,
``MaxTokensLimiter``; Ariadne ``cost_validator``) refusing what they should; which
subscription transports each ships (graphql-transport-ws).

Run: nice -n 10 /tmp/gql-venv/bin/python bench/libraries/graphql_servers.py
(a venv of graphql-core==3.3.2 strawberry-graphql==0.341.3 ariadne==1.1.1).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from importlib.metadata import version
from inspect import isawaitable, signature
from typing import Any, NewType

import ariadne
import strawberry
from ariadne.validation import cost_validator
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    InlineFragmentNode,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    build_schema,
    execute,
    get_operation_ast,
    lexicographic_sort_schema,
    parse,
    print_schema,
    specified_rules,
    validate,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from timing import Result, arguments, measure_async, save

CACHED_DOCUMENTS = 256
MAX_DEPTH, MAX_FIELDS = 8, 500
TOTAL = 99_000

SDL = """
scalar DateTime

type Post {
  id: ID!
  title: String!
  body: String
  status: String!
  published_at: DateTime
  owner_id: ID!
  created_at: DateTime!
  updated_at: DateTime!
  _etag: String!
}

type PostPage {
  items: [Post!]!
  total: Int!
}

input PostFilter {
  status: String
  published_at: DateTime
  published_at_min: DateTime
  published_at_max: DateTime
}

enum PostSort {
  TITLE_ASC
  TITLE_DESC
  PUBLISHED_AT_ASC
  PUBLISHED_AT_DESC
  CREATED_AT_ASC
  CREATED_AT_DESC
}

type Query {
  post(id: ID!): Post
  posts(filter: PostFilter, sort: PostSort, page: Int, limit: Int): PostPage
}
"""

GET = (
    "query($id: ID!) { post(id: $id) { id title body status published_at owner_id "
    "created_at updated_at } }"
)
PAGE = "{ posts(limit: 20) { items { id title status created_at } total } }"
INTROSPECTION = "{ __schema { queryType { name } } }"

# -- the rows and the resolver work all variants share ---------------------------------

STAMP = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
OWNER = uuid.UUID(int=424242)
ROWS = [
    {
        "id": uuid.UUID(int=i + 1),
        "title": f"A title of post {i}",
        "body": "Some words of a body. " * 10,
        "status": "published",
        "published_at": STAMP + timedelta(hours=i),
        "owner_id": OWNER,
        "created_at": STAMP + timedelta(hours=i),
        "updated_at": STAMP + timedelta(hours=i, minutes=5),
    }
    for i in range(50)
]
BY_ID = {row["id"]: row for row in ROWS}
GET_VARIABLES = {"id": str(ROWS[7]["id"])}


@dataclass(frozen=True, slots=True)
class Context:
    """What the generated resolvers read from ``info.context``."""

    request: Any = None
    db: Any = None
    user: Any = None


CONTEXT = Context()


async def fetch(post_id: uuid.UUID) -> dict[str, Any] | None:
    """A stand-in for the service's ``get``: the row as the database gives it."""
    return BY_ID.get(post_id)


async def fetch_page(limit: int) -> tuple[list[dict[str, Any]], int]:
    """A stand-in for the service's page query: the rows and the total."""
    return ROWS[:limit], TOTAL


def etag(row: Mapping[str, Any]) -> str:
    return f'W/"{row["updated_at"].timestamp()}"'


def value_of(source: Any, name: str) -> Any:
    """The generated ``_field``'s body: a row's value, UUIDs as text."""
    if name == "_etag":
        return etag(source)
    value = source.get(name) if isinstance(source, Mapping) else None
    return str(value) if isinstance(value, uuid.UUID) else value


def _field(source: Any, info: GraphQLResolveInfo, **_: Any) -> Any:
    """The generated default field resolver (graphql-core and Ariadne)."""
    return value_of(source, info.field_name)


async def resolve_post(_: Any, info: Any, id: str) -> dict[str, Any] | None:
    info.context.user  # noqa: B018 - the generated resolvers authorize info.context.user
    return await fetch(uuid.UUID(str(id)))


async def resolve_posts(
    _: Any,
    info: Any,
    filter: Any = None,
    sort: Any = None,
    page: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    info.context.user  # noqa: B018
    rows, total = await fetch_page(limit or 20)
    return {"items": rows, "total": total}


# -- the generated limits rule (app/api/graphql.py), copied ----------------------------


def _selection_cost(
    selections: SelectionSetNode | None,
    context: ValidationContext,
    seen: frozenset[str],
) -> tuple[int, int]:
    """(depth, fields) of a selection set with its fragments spread."""
    if selections is None:
        return 0, 0
    depth = fields = 0
    for node in selections.selections:
        if isinstance(node, FieldNode):
            inner_depth, inner_fields = _selection_cost(node.selection_set, context, seen)
            depth, fields = max(depth, 1 + inner_depth), fields + 1 + inner_fields
        elif isinstance(node, InlineFragmentNode):
            inner_depth, inner_fields = _selection_cost(node.selection_set, context, seen)
            depth, fields = max(depth, inner_depth), fields + inner_fields
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            fragment = context.get_fragment(node.name.value)
            if fragment is not None:
                inner_depth, inner_fields = _selection_cost(
                    fragment.selection_set, context, seen | {node.name.value}
                )
                depth, fields = max(depth, inner_depth), fields + inner_fields
    return depth, fields


def limits_rule(max_depth: int, max_fields: int) -> type[ValidationRule]:
    """The generated rule refusing an operation deeper than ``max_depth`` or selecting
    more than ``max_fields`` fields once its fragments are spread."""

    class Limits(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            depth, fields = _selection_cost(node.selection_set, self.context, frozenset())
            if depth > max_depth or fields > max_fields:
                self.report_error(
                    GraphQLError(
                        f"The operation is {depth} levels deep and selects {fields} fields.",
                        node,
                        extensions={"code": "QUERY_TOO_COMPLEX"},
                    )
                )

    return Limits


LIMITS = limits_rule(MAX_DEPTH, MAX_FIELDS)


# -- graphql-core, as the generated service runs it ------------------------------------


class CoreService:
    """The generated ``GraphQLService``: the schema, its rules, the checked documents."""

    def __init__(self, schema: GraphQLSchema, rules: tuple[type[ValidationRule], ...]) -> None:
        self.schema = schema
        self.rules = rules
        self._documents: OrderedDict[str, DocumentNode | list[GraphQLError]] = OrderedDict()

    def check(self, source: str) -> DocumentNode | list[GraphQLError]:
        try:
            parsed = parse(source)
        except GraphQLError as error:
            return [error]
        errors = validate(self.schema, parsed, self.rules)
        return list(errors) if errors else parsed

    def document(self, source: str) -> DocumentNode | list[GraphQLError]:
        found = self._documents.get(source)
        if found is not None:
            self._documents.move_to_end(source)
            return found
        checked = self.check(source)
        self._documents[source] = checked
        if len(self._documents) > CACHED_DOCUMENTS:
            self._documents.popitem(last=False)
        return checked

    async def run(
        self, source: str, variables: dict[str, Any] | None, *, cached: bool = True
    ) -> dict[str, Any]:
        document = self.document(source) if cached else self.check(source)
        if isinstance(document, list):
            return {"errors": [e.formatted for e in document]}
        get_operation_ast(document, None)  # the generated GET refuses mutations with it
        result = execute(
            self.schema,
            document,
            context_value=CONTEXT,
            variable_values=variables,
            field_resolver=_field,
        )
        if isawaitable(result):
            result = await result
        if not isinstance(result, ExecutionResult):
            raise TypeError(type(result).__name__)
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        body["data"] = result.data
        return body


def core_service(rules: tuple[type[ValidationRule], ...] | None = None) -> CoreService:
    schema = build_schema(SDL)
    if schema.query_type is None:
        raise RuntimeError("no Query type")
    schema.query_type.fields["post"].resolve = resolve_post
    schema.query_type.fields["posts"].resolve = resolve_posts
    if rules is None:
        rules = (*specified_rules, LIMITS, NoSchemaIntrospectionCustomRule)
    return CoreService(schema, rules)


# -- Strawberry ---------------------------------------------------------------------------

DateTime = NewType("DateTime", datetime)


@strawberry.type
class Post:
    id: strawberry.ID
    title: str
    body: str | None
    status: str
    published_at: DateTime | None
    owner_id: strawberry.ID
    created_at: DateTime
    updated_at: DateTime
    _etag: str


@strawberry.type
class PostPage:
    items: list[Post]
    total: int


@strawberry.input
class PostFilter:
    status: str | None = strawberry.UNSET  # UNSET: no "= null" default in the schema
    published_at: DateTime | None = strawberry.UNSET
    published_at_min: DateTime | None = strawberry.UNSET
    published_at_max: DateTime | None = strawberry.UNSET


@strawberry.enum
class PostSort(Enum):
    TITLE_ASC = "TITLE_ASC"
    TITLE_DESC = "TITLE_DESC"
    PUBLISHED_AT_ASC = "PUBLISHED_AT_ASC"
    PUBLISHED_AT_DESC = "PUBLISHED_AT_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"
    CREATED_AT_DESC = "CREATED_AT_DESC"


@strawberry.type
class Query:
    @strawberry.field
    async def post(self, info: strawberry.Info, id: strawberry.ID) -> Post | None:
        return await resolve_post(self, info, id)  # type: ignore[return-value]

    @strawberry.field
    async def posts(
        self,
        info: strawberry.Info,
        filter: PostFilter | None = strawberry.UNSET,
        sort: PostSort | None = strawberry.UNSET,
        page: int | None = strawberry.UNSET,
        limit: int | None = strawberry.UNSET,
    ) -> PostPage | None:
        return await resolve_posts(self, info, filter, sort, page, limit)  # type: ignore[return-value]


def strawberry_schema(*, cached: bool = True, extensions: list[Any] | None = None) -> Any:
    """The schema as Strawberry's docs configure one; ``extensions`` replace the limits."""
    config = StrawberryConfig(
        auto_camel_case=False,
        default_resolver=value_of,
        scalar_map={DateTime: strawberry.scalar(name="DateTime")},  # datetimes as they are
    )
    if extensions is None:
        extensions = [DisableIntrospection, lambda: AddValidationRules([LIMITS])]
    if cached:
        extensions = [
            lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
            lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
            *extensions,
        ]
    return strawberry.Schema(query=Query, config=config, extensions=extensions)


async def strawberry_run(
    schema: Any, source: str, variables: dict[str, Any] | None
) -> dict[str, Any]:
    result = await schema.execute(source, variable_values=variables, context_value=CONTEXT)
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [e.formatted for e in result.errors]
    body["data"] = result.data
    return body


# -- Ariadne ------------------------------------------------------------------------------


class AriadneDocuments:
    """``query_parser`` and ``query_validator`` for Ariadne: each query text parsed once,
    each parsed document validated once (the server's rules are fixed), the last 256."""

    def __init__(self) -> None:
        self._parsed: OrderedDict[str, DocumentNode] = OrderedDict()
        self._checked: dict[int, tuple[DocumentNode, list[GraphQLError]]] = {}

    def parse(self, _context: Any, data: dict[str, Any]) -> DocumentNode:
        source = data["query"]
        found = self._parsed.get(source)
        if found is not None:
            self._parsed.move_to_end(source)
            return found
        document = parse(source)
        self._parsed[source] = document
        if len(self._parsed) > CACHED_DOCUMENTS:
            _, dropped = self._parsed.popitem(last=False)
            self._checked.pop(id(dropped), None)
        return document

    def validate(
        self,
        schema: GraphQLSchema,
        document_ast: DocumentNode,
        rules: Any = None,
        max_errors: int | None = None,
        **_: Any,
    ) -> list[GraphQLError]:
        found = self._checked.get(id(document_ast))
        if found is not None and found[0] is document_ast:
            return found[1]
        errors = validate(schema, document_ast, rules, max_errors=max_errors)
        if len(self._checked) < 2 * CACHED_DOCUMENTS:  # the document is kept: ids stay apart
            self._checked[id(document_ast)] = (document_ast, errors)
        return errors


def ariadne_schema() -> GraphQLSchema:
    query = ariadne.QueryType()
    query.set_field("post", resolve_post)
    query.set_field("posts", resolve_posts)
    return ariadne.make_executable_schema(SDL, query)


def ariadne_options(*, cached: bool = True, rules: list[Any] | None = None) -> dict[str, Any]:
    options: dict[str, Any] = {
        "introspection": False,
        "validation_rules": [LIMITS] if rules is None else rules,
        "field_resolver": _field,  # passed on to graphql-core's execute
    }
    if cached:
        documents = AriadneDocuments()
        options["query_parser"] = documents.parse
        options["query_validator"] = documents.validate
    return options


async def ariadne_run(
    schema: GraphQLSchema, data: dict[str, Any], options: dict[str, Any]
) -> dict[str, Any]:
    _, body = await ariadne.graphql(schema, data, context_value=CONTEXT, **options)
    return body


# -- behaviour ------------------------------------------------------------------------------


def _refused(body: dict[str, Any]) -> str | None:
    """The first error's message, or None when the operation ran."""
    errors = body.get("errors")
    return str(errors[0]["message"]) if errors else None


async def behaviour_checks(
    core: CoreService, straw: Any, ari: GraphQLSchema, ari_options: dict[str, Any]
) -> dict[str, Any]:
    for name in ("strawberry", "ariadne"):  # the refusals below would be logged as errors
        logging.getLogger(name).setLevel(logging.CRITICAL)
    found: dict[str, Any] = {}
    same: dict[str, bool] = {}
    for name, source, variables in (
        ("get", GET, GET_VARIABLES),
        ("page", PAGE, None),
    ):
        ours = await core.run(source, variables)
        theirs = await strawberry_run(straw, source, variables)
        data = {"query": source, "variables": variables}
        other = await ariadne_run(ari, data, ari_options)
        same[name] = ours == theirs == other and "errors" not in ours
    found["same_data_all_three"] = same
    core_sdl = print_schema(lexicographic_sort_schema(core.schema))
    straw_sdl = print_schema(lexicographic_sort_schema(straw._schema))
    found["strawberry_schema_prints_equal"] = core_sdl == straw_sdl
    found["ariadne_schema_prints_equal"] = core_sdl == print_schema(lexicographic_sort_schema(ari))

    # Introspection off, as each is configured above; __typename stays allowed.
    introspection = {}
    for source in (INTROSPECTION, "{ __typename }"):
        introspection[source] = {
            "graphql-core": _refused(await core.run(source, None)),
            "strawberry": _refused(await strawberry_run(straw, source, None)),
            "ariadne": _refused(
                await ariadne_run(ari, {"query": source}, ariadne_options(cached=False))
            ),
        }
    found["introspection_refused"] = introspection

    # The libraries' own limits, each set low enough that PAGE (3 levels, 7 fields) or
    # an alias bomb trips it.
    aliases = "{ " + " ".join(f"a{i}: post(id: 1) {{ id }}" for i in range(30)) + " }"
    limits: dict[str, Any] = {
        "graphql-core generated Limits(depth 2, fields 500), page": _refused(
            await core_service((*specified_rules, limits_rule(2, 500))).run(PAGE, None)
        ),
        "graphql-core generated Limits(depth 8, fields 50), 30 aliases": _refused(
            await core_service((*specified_rules, limits_rule(8, 50))).run(aliases, None)
        ),
    }
    for label, extension, source in (
        ("strawberry QueryDepthLimiter(max_depth=1), page", QueryDepthLimiter(1), PAGE),
        ("strawberry QueryDepthLimiter(max_depth=2), page", QueryDepthLimiter(2), PAGE),
        ("strawberry MaxAliasesLimiter(15), 30 aliases", MaxAliasesLimiter(15), aliases),
        ("strawberry MaxTokensLimiter(100), 30 aliases", MaxTokensLimiter(100), aliases),
    ):
        schema = strawberry_schema(cached=False, extensions=[lambda e=extension: e])
        limits[label] = _refused(await strawberry_run(schema, source, None))
    for label, rule, source in (
        (
            "ariadne cost_validator(5, default_cost=1), page",
            cost_validator(5, default_cost=1),
            PAGE,
        ),
        (
            "ariadne cost_validator(50, default_cost=1), 30 aliases",
            cost_validator(50, default_cost=1),
            aliases,
        ),
        ("ariadne cost_validator(5) (default_cost 0), page", cost_validator(5), PAGE),
    ):
        options = ariadne_options(cached=False, rules=[rule])
        limits[label] = _refused(await ariadne_run(ari, {"query": source}, options))
    found["limits_refused"] = limits

    # Ariadne's documented memoizing validator stores its result on the document.
    try:
        setattr(parse("{ post(id: 1) { id } }"), "_past_validation", [])  # noqa: B010
        found["ariadne_documented_memo_on_frozen_nodes"] = "works"
    except (AttributeError, dataclasses.FrozenInstanceError) as error:
        found["ariadne_documented_memo_on_frozen_nodes"] = f"fails: {type(error).__name__}"

    # Subscription transports shipped (source, not exercised).
    from ariadne.asgi import GraphQL as AriadneASGI
    from ariadne.asgi.handlers import GraphQLTransportWSHandler
    from strawberry.asgi import GraphQL as StrawberryASGI
    from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

    protocols = signature(StrawberryASGI).parameters["subscription_protocols"].default
    found["subscriptions"] = {
        "graphql-core": "subscribe()/create_source_event_stream only; no transport",
        "strawberry_asgi_default_protocols": list(protocols),
        "strawberry_has_graphql_transport_ws": GRAPHQL_TRANSPORT_WS_PROTOCOL,
        "ariadne_handler": GraphQLTransportWSHandler.__name__,
        "ariadne_default_websocket_handler": type(AriadneASGI(ari).websocket_handler).__name__,
    }
    return found


# -- measurement --------------------------------------------------------------------------


def main() -> None:
    args = arguments(__doc__ or "", iterations=5000, repeats=7)
    versions = {p: version(p) for p in ("graphql-core", "strawberry-graphql", "ariadne")}
    print("versions:", versions)
    loop = asyncio.new_event_loop()

    core = core_service()
    straw = strawberry_schema()
    straw_uncached = strawberry_schema(cached=False)
    ari = ariadne_schema()
    ari_options = ariadne_options()
    ari_uncached = ariadne_options(cached=False)

    def core_op(source: str, variables: Any, *, cached: bool = True) -> Any:
        async def run(n: int) -> None:
            for _ in range(n):
                await core.run(source, variables, cached=cached)

        return run

    def strawberry_op(schema: Any, source: str, variables: Any) -> Any:
        async def run(n: int) -> None:
            for _ in range(n):
                await strawberry_run(schema, source, variables)

        return run

    def ariadne_op(source: str, variables: Any, options: dict[str, Any]) -> Any:
        data = {"query": source, "variables": variables}

        async def run(n: int) -> None:
            for _ in range(n):
                await ariadne_run(ari, data, options)

        return run

    n = args.iterations
    cases = [
        ("get by id", n, [
            ("graphql-core (generated path)", core_op(GET, GET_VARIABLES)),
            ("strawberry", strawberry_op(straw, GET, GET_VARIABLES)),
            ("ariadne", ariadne_op(GET, GET_VARIABLES, ari_options)),
        ]),
        ("page of 20", max(1, n // 4), [
            ("graphql-core (generated path)", core_op(PAGE, None)),
            ("strawberry", strawberry_op(straw, PAGE, None)),
            ("ariadne", ariadne_op(PAGE, None, ari_options)),
        ]),
        ("get by id, no document cache", max(1, n // 10), [
            ("graphql-core (generated path)", core_op(GET, GET_VARIABLES, cached=False)),
            ("strawberry", strawberry_op(straw_uncached, GET, GET_VARIABLES)),
            ("ariadne", ariadne_op(GET, GET_VARIABLES, ari_uncached)),
        ]),
    ]  # fmt: skip

    results: list[Result] = []
    for case, iterations, variants in cases:
        for name, run in variants:
            results.append(
                measure_async(
                    f"{case}: {name}",
                    run,
                    iterations=iterations,
                    repeats=args.repeats,
                    loop=loop,
                )
            )

    behaviour: dict[str, Any] = {"versions": versions}
    behaviour.update(loop.run_until_complete(behaviour_checks(core, straw, ari, ari_options)))
    loop.close()
    for key, value in behaviour.items():
        print(f"{key}: {value}")
    save("graphql_servers", results, behaviour)


if __name__ == "__main__":
    main()
