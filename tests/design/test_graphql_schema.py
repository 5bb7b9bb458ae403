"""The GraphQL schema (app/schema.graphql) of any spec builds, and says of every row
what the REST schema of the same name says: the same fields, null where REST allows
null, the same filters and sort choices."""

from __future__ import annotations

from typing import Any

import yaml
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    build_schema,
    get_named_type,
)
from hypothesis import given, reject, seed

from backend_agent.design import design
from backend_agent.design.graphql import graphql_sdl, nested_fields
from backend_agent.design.openapi import openapi_document
from backend_agent.design.queries import LIST_PARAMETERS, SEARCH_PARAMETER
from backend_agent.errors import SpecError
from backend_agent.spec import load_spec, load_spec_text
from backend_agent.spec.graphql import graphql_names
from tests.conftest import EXAMPLES
from tests.strategies.specs import DRAWN, SEED, DrawnSpec, drawn_specs


def _nullable(schema: dict[str, Any]) -> bool:
    kinds = schema.get("type")
    if "anyOf" in schema:
        return any(option.get("type") == "null" for option in schema["anyOf"])
    return kinds is None or (isinstance(kinds, list) and "null" in kinds)


def _agrees(text: str) -> None:
    blueprint = design(load_spec_text(text, "drawn.yaml"))
    document = openapi_document(blueprint)
    schema = build_schema(graphql_sdl(blueprint, document))  # raises if the SDL is invalid
    components = document["components"]["schemas"]
    assert schema.query_type is not None
    for entity in blueprint.entities:
        names = graphql_names(entity.name, entity.snake, entity.plural)
        kind = schema.type_map[names.type]
        assert isinstance(kind, GraphQLObjectType)
        rest = components[entity.name]
        nested = {n.name: n for n in nested_fields(blueprint, entity)}
        assert set(kind.fields) == set(rest["properties"]) | {"_etag"} | set(nested), entity.name
        for name, relation in nested.items():
            target = schema.type_map[relation.target]
            held = kind.fields[name].type
            assert not isinstance(held, GraphQLNonNull)  # null where the caller may not see
            if relation.kind == "one":
                assert held is target
                assert not kind.fields[name].args
            else:
                assert isinstance(held, GraphQLList)
                assert get_named_type(held) is target
                assert set(kind.fields[name].args) == {"sort", "limit"}
        for name, prop in rest["properties"].items():
            strict = isinstance(kind.fields[name].type, GraphQLNonNull)
            required = name in rest.get("required", ()) and not _nullable(prop)
            assert strict == required, (entity.name, name)
        listing = document["paths"][entity.collection_path]["get"]["parameters"]
        query = schema.query_type.fields[names.list]
        sort = next(p for p in listing if p["name"] == "sort")["schema"]
        enum = schema.type_map[names.sort]
        assert isinstance(enum, GraphQLEnumType)
        assert list(enum.values) == sort["x-enum-varnames"]
        filters = {p["name"] for p in listing} - {*LIST_PARAMETERS, SEARCH_PARAMETER}
        if filters:
            given_filter = schema.type_map[names.filter]
            assert isinstance(given_filter, GraphQLInputObjectType)
            assert set(given_filter.fields) == filters
        expected_args = {"sort", "limit", "cursor" if entity.keyset else "page"}
        expected_args |= {"filter"} if filters else set()
        expected_args |= {"q"} if any(p["name"] == SEARCH_PARAMETER for p in listing) else set()
        assert set(query.args) == expected_args, entity.name
        assert set(schema.query_type.fields[names.item].args) == {"id"}


@seed(SEED)
@DRAWN
@given(drawn=drawn_specs())
def test_every_drawn_spec_has_a_schema_that_agrees_with_rest(drawn: DrawnSpec) -> None:
    text = yaml.safe_dump({**drawn.data, "graphql": True}, sort_keys=False, allow_unicode=True)
    try:
        load_spec_text(text, "drawn.yaml")
    except SpecError:
        reject()  # an entity named like a GraphQL type: refused (tests/spec)
    _agrees(text)


def test_the_examples_have_schemas_that_agree_with_rest() -> None:
    for path in EXAMPLES:
        text = path.read_text("utf-8")
        _agrees(text if load_spec(path).graphql else f"{text}\ngraphql: true\n")


LEDGER = """
name: ledger
graphql: true
entities:
  Account:
    fields:
      label: {type: string, required: true}
    relations:
      transfers: {has_many: Transfer}
      notes: {has_many: Note}
  Transfer:
    fields:
      amount: {type: integer, required: true}
    relations:
      source: {belongs_to: Account}
      target: {belongs_to: Account}
  Note:
    fields:
      text: {type: string, required: true}
    relations:
      account: {belongs_to: Account}
"""


def test_relation_fields_follow_one_foreign_key_each() -> None:
    blueprint = design(load_spec_text(LEDGER, "ledger.yaml"))
    account, transfer, note = (blueprint.entity(n) for n in ("Account", "Transfer", "Note"))
    # Transfer has two keys to Account: which one "transfers" follows is not said.
    assert [(n.name, n.kind, n.column) for n in nested_fields(blueprint, account)] == [
        ("notes", "many", "account_id")
    ]
    assert [(n.name, n.kind, n.column) for n in nested_fields(blueprint, transfer)] == [
        ("source", "one", "source_id"),
        ("target", "one", "target_id"),
    ]
    assert [(n.name, n.target) for n in nested_fields(blueprint, note)] == [("account", "Account")]
    _agrees(LEDGER)
