"""The names each entity takes in the GraphQL schema (``graphql: true``), and the check
that no two of them meet.

Per entity ``Post`` (snake ``post``, plural ``posts``): the types ``Post``,
``PostPage``, ``PostFilter``, ``PostSort``, ``PostInput`` and ``PostPatch`` (and
``PostChange`` with ``realtime``, sent by ``Subscription.postChanged``); the
queries ``post`` and ``posts`` (camelCase of the API's names: ``blogPost``; a plural
that is its singular, ``news``, lists as ``newsList``); the mutations ``createPost``,
``updatePost`` and ``deletePost``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from backend_agent.errors import Problem
from backend_agent.spec.model import ServiceSpec
from backend_agent.spec.naming import plural, snake
from backend_agent.spec.source import SourceMap

__all__ = ["RESERVED_TYPES", "GraphQLNames", "check_graphql", "graphql_names"]

# Type names the schema has whatever the entities: GraphQL's own, the scalars the
# schema adds, and the operation types.
RESERVED_TYPES = frozenset(
    {"String", "Int", "Float", "Boolean", "ID", "DateTime", "Date", "Decimal", "JSON"}
    | {"Query", "Mutation", "Subscription"}
)


@dataclass(frozen=True)
class GraphQLNames:
    """The names one entity takes in the GraphQL schema."""

    type: str  # Post
    page: str  # PostPage
    filter: str  # PostFilter
    sort: str  # PostSort
    input: str  # PostInput
    patch: str  # PostPatch
    item: str  # post
    list: str  # posts
    create: str  # createPost
    update: str  # updatePost
    delete: str  # deletePost
    change: str  # PostChange: what Subscription.postChanged sends (with realtime)
    changed: str  # Subscription.postChanged

    def types(self, *, realtime: bool = False) -> tuple[str, ...]:
        kinds = (self.type, self.page, self.filter, self.sort, self.input, self.patch)
        return (*kinds, self.change) if realtime else kinds

    def operations(self) -> tuple[str, ...]:
        return (self.item, self.list, self.create, self.update, self.delete)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def graphql_names(name: str, snake_name: str, plural_name: str) -> GraphQLNames:
    """The GraphQL names of the entity ``name`` (``snake_name`` and ``plural_name`` as
    the API has them)."""
    item, many = _camel(snake_name), _camel(plural_name)
    if many == item:
        many = f"{item}List"
    return GraphQLNames(
        type=name,
        page=f"{name}Page",
        filter=f"{name}Filter",
        sort=f"{name}Sort",
        input=f"{name}Input",
        patch=f"{name}Patch",
        item=item,
        list=many,
        create=f"create{name}",
        update=f"update{name}",
        delete=f"delete{name}",
        change=f"{name}Change",
        changed=f"{item}Changed",
    )


def check_graphql(spec: ServiceSpec, source: SourceMap) -> list[Problem]:
    """With ``graphql: true``, a problem for each entity whose GraphQL names another
    entity's (or the schema's own) already take."""
    if not spec.graphql:
        return []
    return list(_clashes(spec, source))


def _clashes(spec: ServiceSpec, source: SourceMap) -> Iterator[Problem]:
    taken: dict[str, str] = dict.fromkeys(RESERVED_TYPES, "the GraphQL schema itself")
    for name, entity in spec.entities.items():
        snake_name = snake(name)
        names = graphql_names(name, snake_name, entity.plural or plural(snake_name))
        wanted = (
            *names.types(realtime=spec.realtime),
            *(f"Query.{n}" for n in names.operations()),
        )
        clash = next((gql for gql in wanted if gql in taken), None)
        if clash is None:
            taken.update(dict.fromkeys(wanted, f"entity '{name}'"))
            continue
        yield source.problem(
            ("entities", name),
            f"with graphql: true, entity '{name}' needs the GraphQL name "
            f"'{clash.removeprefix('Query.')}', which {taken[clash]} already has",
            suggestion="rename the entity (or set another plural)",
            key=True,
        )
