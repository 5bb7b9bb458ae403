"""Transitions in the designed contract: their operations, errors and read-only states."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_agent.design import design
from backend_agent.design.blueprint import Blueprint
from backend_agent.design.openapi import openapi_document
from backend_agent.spec import load_spec
from tests.conftest import EXAMPLES

SHOP = next(path for path in EXAMPLES if path.stem == "shop")


@pytest.fixture(scope="module")
def shop() -> Blueprint:
    return design(load_spec(SHOP))


def test_each_transition_is_a_conditional_post_with_its_states_documented(
    shop: Blueprint,
) -> None:
    document = openapi_document(shop)
    operation = document["paths"]["/api/v1/orders/{id}/cancel"]["post"]
    assert operation["operationId"] == "cancel_order"
    assert operation["x-transition"] == {
        "field": "status",
        "from": ["draft", "placed"],
        "to": "cancelled",
    }
    assert "`draft` or `placed`" in operation["description"]
    assert "Cancels an order that has not been paid." in operation["description"]
    assert set(operation["responses"]) >= {"200", "401", "403", "404", "409", "412"}
    assert "INVALID_TRANSITION" in operation["responses"]["409"]["description"]
    assert "ETag" in operation["responses"]["200"]["headers"]
    names = [p["name"] for p in operation["parameters"]]
    assert names == ["id", "If-Match"]
    assert "requestBody" not in operation


def test_the_state_field_is_read_only_in_the_contract(shop: Blueprint) -> None:
    schemas = openapi_document(shop)["components"]["schemas"]
    assert "status" not in schemas["OrderCreate"]["properties"]
    assert "status" not in schemas["OrderUpdate"]["properties"]
    assert "status" in schemas["Order"]["properties"]
    assert "placed_at" in schemas["OrderCreate"]["properties"]


def test_the_transition_error_code_is_documented_only_where_a_transition_exists(
    shop: Blueprint,
) -> None:
    def codes(blueprint: Blueprint) -> list[str]:
        error = openapi_document(blueprint)["components"]["schemas"]["Error"]
        return list(error["properties"]["error"]["properties"]["code"]["enum"])

    assert "INVALID_TRANSITION" in codes(shop)
    others = [design(load_spec(path)) for path in EXAMPLES if path != SHOP]
    assert others
    assert all("INVALID_TRANSITION" not in codes(blueprint) for blueprint in others)


def test_a_transition_without_a_permission_takes_the_update_rule(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "name: t\nauth: {roles: [boss, staff]}\nentities:\n  Task:\n"
        "    fields: {state: {type: enum, values: [todo, done], default: todo}}\n"
        "    permissions: {update: [staff]}\n"
        "    transitions: {state: {finish: {from: todo, to: done}}}\n",
        encoding="utf-8",
    )
    task = design(load_spec(spec)).entity("Task")
    route = next(r for r in task.routes if r.action == "transition")
    assert route.rule == task.permissions["update"]
    assert route.rule.roles == ("staff",)
