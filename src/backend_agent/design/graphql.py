"""The GraphQL schema of a service (``app/schema.graphql``), read off its OpenAPI document.

GraphQL serves the same rows as REST, through the same services: each type is drawn
from the REST schema of the same name, so the two never disagree on a field, its type
or whether it may be null. Per entity (``Post``):

- ``type Post``: the fields of a REST ``Post``, plus ``_etag`` (what ``If-Match`` takes);
- ``type PostPage``: ``items`` and ``total`` (or ``next_cursor`` where pages are by cursor);
- ``input PostFilter``: the filters of ``GET /posts``, by their query parameters' names;
- ``enum PostSort``: its sort choices, named as generated REST clients name them
  (``CREATED_AT_DESC`` is ``-created_at``);
- ``input PostInput`` / ``PostPatch``: the bodies of create and of a partial update;
- ``Query.post(id)``, ``Query.posts(filter, sort, page | cursor, limit[, q])``;
- ``Mutation.createPost(input)``, ``updatePost(id, input, ifMatch)``,
  ``deletePost(id, ifMatch)``;
- with ``realtime``, ``Subscription.postChanged``: each committed change of a post the
  caller may read (``type PostChange { action, id, row }``);
- a field per relation (:func:`nested_fields`): ``Comment.post`` (the row a
  ``belongs_to`` refers to, null where the caller may not read it), ``Post.comments``
  (``has_many``) and ``Post.tags`` (``many_to_many``), lists with ``sort`` and ``limit``
  as the target's own list takes them, read for a whole page of rows at once.

Fields keep the API's snake_case names (a field reads the same over REST and GraphQL);
operations are camelCase, as GraphQL clients expect.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from backend_agent.design.blueprint import Blueprint, Entity
from backend_agent.design.openapi_parts import JSON
from backend_agent.design.queries import LIST_PARAMETERS, SEARCH_PARAMETER
from backend_agent.spec.graphql import GraphQLNames, graphql_names

__all__ = ["SCALARS", "NestedField", "graphql_sdl", "nested_fields"]

# The scalars beyond GraphQL's own, with what they carry.
SCALARS: tuple[tuple[str, str], ...] = (
    ("DateTime", "A date and time with its offset from UTC (RFC 3339)."),
    ("Date", "A calendar date (ISO 8601, e.g. 2024-01-31)."),
    ("Decimal", "An exact decimal number, written as a string to keep every digit."),
    ("JSON", "Any JSON value."),
)
# OpenAPI string formats -> GraphQL scalar.
_FORMATS = {"uuid": "ID", "date-time": "DateTime", "date": "Date", "decimal": "Decimal"}
_TYPES = {"integer": "Int", "number": "Float", "boolean": "Boolean", "string": "String"}


def _scalar(schema: JSON) -> tuple[str, bool]:
    """A JSON Schema's GraphQL type name and whether it admits null."""
    if "anyOf" in schema:
        options = [option for option in schema["anyOf"] if option.get("type") != "null"]
        name = _scalar(options[0])[0] if len(options) == 1 else "JSON"
        return name, len(options) < len(schema["anyOf"])
    kinds = schema.get("type")
    if kinds is None:
        return "JSON", True
    kinds = kinds if isinstance(kinds, list) else [kinds]
    nullable = "null" in kinds
    kinds = [kind for kind in kinds if kind != "null"]
    if "string" in kinds and schema.get("format") in _FORMATS:
        return _FORMATS[schema["format"]], nullable
    if len(kinds) != 1 or kinds[0] not in _TYPES:
        return "JSON", nullable
    return _TYPES[kinds[0]], nullable


def _fields(schema: JSON, *, optional: bool = False) -> Iterator[str]:
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        kind, nullable = _scalar(prop)
        strict = name in required and not nullable and not optional and "default" not in prop
        text = prop.get("description")
        if isinstance(text, str) and text:
            yield f"  {_description(text)}"
        yield f"  {name}: {kind}{'!' if strict else ''}"


def _description(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _block(keyword: str, name: str, lines: list[str], text: str = "") -> list[str]:
    head = [_description(text)] if text else []
    return [*head, f"{keyword} {name} {{", *lines, "}", ""]


@dataclass(frozen=True)
class NestedField:
    """A field of an entity's GraphQL type that holds other rows: a relation."""

    entity: str  # the type it is a field of: Post
    name: str  # the relation's name: comments
    kind: Literal["one", "many", "link"]  # belongs_to, has_many, many_to_many
    target: str  # the entity it holds rows of: Comment
    # one: this entity's foreign key (post_id); many: the target's foreign key to this
    # entity (post_id); link: the relation (tags), whose junction the service reads.
    column: str


def _back_reference(blueprint: Blueprint, entity: Entity, target: Entity) -> str | None:
    """The target's foreign key to ``entity`` that a has_many follows: its only one, or
    the one it is nested under; ``None`` when that is ambiguous."""
    columns = [
        r.column
        for r in target.relations
        if r.kind == "belongs_to" and r.target == entity.name and r.column is not None
    ]
    if len(columns) == 1:
        return columns[0]
    if target.nested_under == entity.name and target.nested_column in columns:
        return target.nested_column
    return None


def nested_fields(blueprint: Blueprint, entity: Entity) -> tuple[NestedField, ...]:
    """The relation fields of ``entity``'s GraphQL type, in the spec's order. A relation
    whose name a field of the type already has is left out (the field keeps its name),
    and so is a has_many whose foreign key is ambiguous."""
    taken = {f.name for f in entity.readable_fields} | {"_etag"}
    found = []
    for relation in entity.relations:
        if relation.name in taken:
            continue
        target = blueprint.entity(relation.target)
        if relation.kind == "belongs_to" and relation.column is not None:
            column: str | None = relation.column
            kind: Literal["one", "many", "link"] = "one"
        elif relation.kind == "has_many":
            column, kind = _back_reference(blueprint, entity, target), "many"
        else:
            column, kind = relation.name, "link"
        if column is not None:
            found.append(NestedField(entity.name, relation.name, kind, target.name, column))
            taken.add(relation.name)
    return tuple(found)


def _list_operation(document: JSON, entity: Entity) -> JSON:
    operation: JSON = document["paths"][entity.collection_path]["get"]
    return operation


def _nested_sdl(blueprint: Blueprint, entity: Entity) -> Iterator[str]:
    for nested in nested_fields(blueprint, entity):
        target = blueprint.entity(nested.target)
        names = graphql_names(target.name, target.snake, target.plural)
        if nested.kind == "one":
            yield f'  "The {target.title.lower()} of {nested.column}, if the caller may read it."'
            yield f"  {nested.name}: {names.type}"
        else:
            yield (
                f"  \"The first {target.plural.replace('_', ' ')} (limit: the list's default "
                "page size, at most its largest) the caller may list, in the list's order.\""
            )
            # Null, with an error, where the caller may not list them: the row stays.
            yield f"  {nested.name}(sort: {names.sort}, limit: Int): [{names.type}!]"


def _entity_sdl(
    blueprint: Blueprint, document: JSON, entity: Entity, names: GraphQLNames
) -> tuple[list[str], str]:
    """The entity's types, and its list field's arguments."""
    schemas = document["components"]["schemas"]
    read = schemas[entity.name]
    lines = _block(
        "type",
        names.type,
        [
            *_fields(read),
            '  "What If-Match takes to change this version of the row."',
            "  _etag: String!",
            *_nested_sdl(blueprint, entity),
        ],
        entity.description or f"{entity.title} rows.",
    )
    total = "  next_cursor: String" if entity.keyset else "  total: Int!"
    lines += _block("type", names.page, [f"  items: [{names.type}!]!", total])
    parameters = _list_operation(document, entity).get("parameters", [])
    filters = [p for p in parameters if p["name"] not in (*LIST_PARAMETERS, SEARCH_PARAMETER)]
    arguments = []
    if filters:
        body = []
        for parameter in filters:
            kind, _ = _scalar(parameter["schema"])
            body += [
                f"  {_description(parameter['description'])}",
                f"  {parameter['name']}: {kind}",
            ]
        lines += _block("input", names.filter, body)
        arguments.append(f"filter: {names.filter}")
    sort = next(p for p in parameters if p["name"] == "sort")["schema"]
    members = [f"  {member}" for member in sort["x-enum-varnames"]]
    lines += _block("enum", names.sort, members, "The order of a list; *_DESC is descending.")
    arguments.append(f"sort: {names.sort}")
    arguments.append("cursor: String" if entity.keyset else "page: Int")
    arguments.append("limit: Int")
    if any(p["name"] == SEARCH_PARAMETER for p in parameters):
        arguments.append("q: String")
    for suffix, name in (("Create", names.input), ("Update", names.patch)):
        schema = schemas[f"{entity.name}{suffix}"]
        if schema.get("properties"):
            lines += _block("input", name, list(_fields(schema, optional=suffix == "Update")))
    return lines, ", ".join(arguments)


def _subscriptions(blueprint: Blueprint) -> list[str]:
    """Per entity, what a subscription to its changes sends, and the subscription."""
    lines: list[str] = []
    fields = []
    for entity in blueprint.entities:
        names = graphql_names(entity.name, entity.snake, entity.plural)
        body = [
            '  "created, updated or deleted"',
            "  action: String!",
            "  id: ID!",
            '  "The row as the caller may see it; null for a deletion."',
            f"  row: {names.type}",
        ]
        label = entity.plural.replace("_", " ")
        lines += _block("type", names.change, body, f"A committed change to {label}.")
        fields.append(
            f'  "Each committed change to the {label} the caller may read."\n'
            f"  {names.changed}: {names.change}!"
        )
    return lines + _block("type", "Subscription", fields)


def graphql_sdl(blueprint: Blueprint, document: JSON) -> str:
    """The service's GraphQL schema (SDL), from ``document``, its OpenAPI document."""
    lines = [f'"""{text}"""\nscalar {name}\n' for name, text in SCALARS]
    queries: list[str] = []
    mutations: list[str] = []
    schemas = document["components"]["schemas"]
    for entity in blueprint.entities:
        names = graphql_names(entity.name, entity.snake, entity.plural)
        types, arguments = _entity_sdl(blueprint, document, entity, names)
        lines += types
        queries += [
            f"  {names.item}(id: ID!): {names.type}",
            f"  {names.list}({arguments}): {names.page}",
        ]
        actions = {route.action for route in entity.routes}
        if "create" in actions:
            argument = (
                f"(input: {names.input}!)"
                if schemas[f"{entity.name}Create"].get("properties")
                else ""
            )
            mutations.append(f"  {names.create}{argument}: {names.type}")
        if "update" in actions and schemas[f"{entity.name}Update"].get("properties"):
            mutations.append(
                f"  {names.update}(id: ID!, input: {names.patch}!, ifMatch: String): {names.type}"
            )
        if "delete" in actions:
            mutations.append(f"  {names.delete}(id: ID!, ifMatch: String): Boolean")
    lines += _block("type", "Query", queries)
    if mutations:
        lines += _block("type", "Mutation", mutations)
    if blueprint.realtime:
        lines += _subscriptions(blueprint)
    return "\n".join(line for line in lines).rstrip("\n") + "\n"
