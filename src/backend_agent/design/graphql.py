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
  ``deletePost(id, ifMatch)``.

Fields keep the API's snake_case names (a field reads the same over REST and GraphQL);
operations are camelCase, as GraphQL clients expect.
"""

from __future__ import annotations

from collections.abc import Iterator

from backend_agent.design.blueprint import Blueprint, Entity
from backend_agent.design.openapi_parts import JSON
from backend_agent.design.queries import LIST_PARAMETERS, SEARCH_PARAMETER
from backend_agent.spec.graphql import GraphQLNames, graphql_names

__all__ = ["SCALARS", "graphql_sdl"]

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


def _list_operation(document: JSON, entity: Entity) -> JSON:
    operation: JSON = document["paths"][entity.collection_path]["get"]
    return operation


def _entity_sdl(document: JSON, entity: Entity, names: GraphQLNames) -> tuple[list[str], str]:
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


def graphql_sdl(blueprint: Blueprint, document: JSON) -> str:
    """The service's GraphQL schema (SDL), from ``document``, its OpenAPI document."""
    lines = [f'"""{text}"""\nscalar {name}\n' for name, text in SCALARS]
    queries: list[str] = []
    mutations: list[str] = []
    schemas = document["components"]["schemas"]
    for entity in blueprint.entities:
        names = graphql_names(entity.name, entity.snake, entity.plural)
        types, arguments = _entity_sdl(document, entity, names)
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
    return "\n".join(line for line in lines).rstrip("\n") + "\n"
