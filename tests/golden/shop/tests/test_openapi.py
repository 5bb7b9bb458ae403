"""FastAPI's OpenAPI document, as served at /openapi.json, against the designed contract
(app/openapi.json).

FastAPI writes the document from the routes; the design is what was promised. Every
designed operation must be served at the same method and path, with the same
operationId, tags, status codes, parameters, request body, response schemas and security
requirement; every designed schema must be served with the same shape; the security
schemes must be equal. A parameter's description is part of it (clients show it);
other prose is not compared (summaries, schema descriptions, examples).

Schemas are compared by shape (:func:`shape`), so that the design's way of writing a
schema and Pydantic's compare equal when they accept the same JSON:

- a ``$ref`` is the name it points to (with whatever sits beside it);
- the types are a set: ``type: [X, "null"]`` and Pydantic's ``anyOf: [{type: X},
  {type: null}]`` are both {X, null}; a ``const`` or an ``enum`` without a ``type`` has
  its values' types; no type at all is any JSON value (the empty set), and so is an
  ``anyOf`` with such an alternative;
- then the property names with their shapes, the required names, the items' shape and
  whether other properties are refused (``additionalProperties: false``);
- formats, patterns, lengths, bounds, titles and defaults are not compared (the design
  says ``format: email`` where Pydantic writes the pattern that checks it).

A route that reads its body itself takes the designed request body and the responses
from the design (app/api/routes/docs.py); path, method, operationId, success status,
parameters, security and the request models' schemas are FastAPI's reading of the code.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI

from app.api.routes.docs import DESIGN
from app.main import create_app
from tests.apps import serving
from tests.conftest import make_settings

pytestmark = pytest.mark.anyio

JSON = dict[str, Any]
METHODS = ("get", "put", "post", "delete", "patch")
# Every designed operation, by its operationId: (method, path, operation).
DESIGNED: dict[str, tuple[str, str, JSON]] = {
    operation["operationId"]: (method, path, operation)
    for path, item in DESIGN["paths"].items()
    for method, operation in item.items()
    if method in METHODS
}
_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}


def shape(schema: JSON) -> JSON:
    """What a schema accepts, in a form the design and Pydantic write alike (above)."""
    if "$ref" in schema:
        # What sits beside a $ref narrows it further (JSON Schema 2020-12), so it counts.
        rest = {key: value for key, value in schema.items() if key != "$ref"}
        return {**shape(rest), "ref": schema["$ref"].rsplit("/", 1)[-1]}
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        parts = [shape(part) for part in alternatives]
        if {"types": frozenset()} in parts:
            return {"types": frozenset()}  # one alternative takes any JSON value
        merged: JSON = {"types": frozenset().union(*(p.get("types", ()) for p in parts))}
        for part in parts:
            merged.update({k: v for k, v in part.items() if k != "types"})
        return merged
    declared = schema.get("type")
    types = set(declared if isinstance(declared, list) else [declared] if declared else [])
    if "const" in schema:
        types.add(_JSON_TYPES[type(schema["const"])])
    if "enum" in schema and not declared:
        types.update(_JSON_TYPES[type(value)] for value in schema["enum"])
    found: JSON = {"types": frozenset(types)}
    if "properties" in schema:
        found["properties"] = {name: shape(sub) for name, sub in schema["properties"].items()}
        found["required"] = frozenset(schema.get("required", ()))
    if "items" in schema:
        found["items"] = shape(schema["items"])
    if schema.get("additionalProperties") is False:
        found["closed"] = True
    return found


def required_schemes(operation: JSON) -> frozenset[str]:
    """The security schemes an operation cannot be called without: none when it has no
    requirement or allows an anonymous alternative (``{}``)."""
    alternatives = operation.get("security", [])
    if not alternatives or any(not alternative for alternative in alternatives):
        return frozenset()
    return frozenset(name for alternative in alternatives for name in alternative)


def parameters(operation: JSON) -> set[tuple[str, str, bool, str | None]]:
    return {
        (p["in"], p["name"], bool(p.get("required", False)), p.get("description"))
        for p in operation.get("parameters", [])
    }


def responses(operation: JSON) -> dict[str, JSON | None]:
    """Each status code with the shape of its JSON body (``None`` without one)."""
    found: dict[str, JSON | None] = {}
    for status, response in operation["responses"].items():
        body = response.get("content", {}).get("application/json")
        found[status] = shape(body["schema"]) if body else None
    return found


def request_body(operation: JSON) -> JSON | None:
    body = operation.get("requestBody")
    return shape(body["content"]["application/json"]["schema"]) if body else None


@pytest.fixture
def served(app: FastAPI) -> JSON:
    """The session app's document, as /openapi.json serves it (tests/test_health.py)."""
    document: JSON = app.openapi()
    return document


def served_operation(document: JSON, operation_id: str) -> tuple[str, str, JSON]:
    found = [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS and operation.get("operationId") == operation_id
    ]
    assert len(found) == 1, f"{operation_id}: served {len(found)} times"
    return found[0]


@pytest.mark.parametrize("operation_id", sorted(DESIGNED))
async def test_every_designed_operation_is_served(served: JSON, operation_id: str) -> None:
    method, path, designed = DESIGNED[operation_id]
    served_method, served_path, operation = served_operation(served, operation_id)
    assert (served_method, served_path) == (method, path)
    assert operation.get("tags") == designed.get("tags")
    assert responses(operation) == responses(designed)
    assert parameters(operation) == parameters(designed)
    assert request_body(operation) == request_body(designed)
    assert required_schemes(operation) == required_schemes(designed)


@pytest.mark.parametrize("name", sorted(DESIGN["components"]["schemas"]))
async def test_every_designed_schema_is_served(served: JSON, name: str) -> None:
    schemas = served["components"]["schemas"]
    assert name in schemas
    assert shape(schemas[name]) == shape(DESIGN["components"]["schemas"][name])


async def test_the_security_schemes_are_the_designed_ones(served: JSON) -> None:
    assert served["components"]["securitySchemes"] == DESIGN["components"]["securitySchemes"]


async def test_info_and_tags_are_the_designed_ones(served: JSON) -> None:
    for key in ("title", "version", "description"):
        assert served["info"][key] == DESIGN["info"][key]
    assert [tag["name"] for tag in served["tags"]] == [tag["name"] for tag in DESIGN["tags"]]


async def test_every_reference_resolves(served: JSON) -> None:
    names = set(served["components"]["schemas"])
    pending: list[Any] = [served["paths"], served["components"]["schemas"]]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            reference = item.get("$ref")
            if isinstance(reference, str):
                assert reference.rsplit("/", 1)[-1] in names, reference
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


async def test_a_route_the_owner_adds_is_in_the_document() -> None:
    application = create_app(make_settings())
    name = f"hello_{uuid.uuid4().hex[:8]}"

    @application.get("/hello", operation_id=name, tags=["owner"])
    async def hello(who: str = "world") -> dict[str, str]:
        return {"hello": who}

    async with serving(application) as http:
        response = await http.get("/openapi.json")
        docs = await http.get("/docs")
        hello_ada = await http.get("/hello", params={"who": "Ada"})
    assert hello_ada.json() == {"hello": "Ada"}
    assert response.status_code == 200
    operation = response.json()["paths"]["/hello"]["get"]
    assert operation["operationId"] == name
    assert parameters(operation) == {("query", "who", False, None)}
    # The designed operations are still there alongside it.
    served = {
        op["operationId"] for item in response.json()["paths"].values() for op in item.values()
    }
    assert served >= set(DESIGNED)
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text
