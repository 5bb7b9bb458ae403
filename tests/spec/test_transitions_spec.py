"""State machines in the spec: valid ones load and design; each mistake names its place."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend_agent.design import design
from backend_agent.errors import SpecError
from backend_agent.spec import load_spec_text, spec_json_schema
from tests.strategies.specs import DRAWN

ORDERS = """\
name: shop
entities:
  Order:
    owner: true
    fields:
      status: {{type: enum, values: [draft, placed, paid, cancelled], default: draft}}
      paid_at: datetime
      paid_on: date
      note: string
    transitions:
      status:
{moves}
jobs:
  receipt: {{on: {event}}}
"""

GOOD = """\
        place: {from: draft, to: placed, permission: owner}
        pay: {from: placed, to: paid, permission: [admin], set: {paid_at: now, paid_on: now}}
        cancel: {from: [draft, placed], to: cancelled, set: {note: by request, paid_at: null}}"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "spec.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_a_state_machine_loads_and_designs_its_routes() -> None:
    blueprint = design(load_spec_text(ORDERS.format(moves=GOOD, event="order.paid")))
    order = blueprint.entity("Order")
    moves = {move.name: move for move in order.transitions}
    assert moves["cancel"].sources == ("draft", "placed")
    assert moves["pay"].now == ("paid_at",)
    assert moves["pay"].today == ("paid_on",)
    assert moves["cancel"].values == (("note", "by request"), ("paid_at", None))
    assert moves["pay"].rule.roles == ("admin",)
    # Without a permission of its own, a transition takes the entity's update rule.
    assert moves["cancel"].rule == order.permissions["update"]
    assert moves["pay"].event == "order.paid"
    routes = {r.operation_id: r for r in order.routes if r.action == "transition"}
    assert {(r.method, r.path) for r in routes.values()} == {
        ("POST", "/api/v1/orders/{id}/place"),
        ("POST", "/api/v1/orders/{id}/pay"),
        ("POST", "/api/v1/orders/{id}/cancel"),
    }
    # The state field is written by transitions only.
    assert not order.field("status").writable
    assert order.field("note").writable


@pytest.mark.parametrize(
    ("moves", "event", "expected"),
    [
        (
            "        place: {from: draf, to: placed}",
            "order.created",
            "spec.yaml:12:23: 'draf' is not a value of 'status' (expected one of draft, placed, "
            "paid, cancelled); did you mean 'draft'?",
        ),
        (
            "        place: {from: [draft, placed], to: placed}",
            "order.created",
            "spec.yaml:12:44: the transition starts from 'placed', the state it moves to",
        ),
        (
            "        update: {from: draft, to: placed}",
            "order.created",
            "spec.yaml:12:9: transition name 'update' is one of the entity's own operations",
        ),
        (
            "        pay: {from: placed, to: paid, set: {note: now}}",
            "order.created",
            "spec.yaml:12:51: 'now' sets a date or datetime field; 'note' is a string field",
        ),
        (
            "        pay: {from: placed, to: paid, set: {status: draft}}",
            "order.created",
            "spec.yaml:12:45: 'status' is a state field: only its own transitions move it",
        ),
        (
            "        pay: {from: placed, to: paid, set: {nope: 1}}",
            "order.created",
            "spec.yaml:12:45: set names 'nope', which is not a field of the entity",
        ),
        (
            "        pay: {from: placed, to: paid, permission: owner_or_clerk}",
            "order.created",
            "spec.yaml:12:51: unknown permission 'owner_or_clerk'",
        ),
        (
            "        pay: {from: placed, to: paid}",
            "order.shipped",
            "spec.yaml:14:17: event 'order.shipped' is not one the service emits",
        ),
    ],
)
def test_each_mistake_in_a_transition_is_named_where_it_is(
    moves: str, event: str, expected: str
) -> None:
    found = problems_of(ORDERS.format(moves=moves, event=event))
    assert any(problem.startswith(expected) for problem in found), found


def test_a_state_field_needs_an_enum_with_a_default_and_no_required() -> None:
    text = """\
name: shop
entities:
  Ticket:
    fields:
      stage: {type: enum, values: [new, done], required: true}
      title: string
    transitions:
      stage: {finish: {from: new, to: done}}
      title: {x: {from: a, to: b}}
      nothing: {y: {from: a, to: b}}
"""
    found = problems_of(text)
    assert any("spec.yaml:8:7: state field 'stage' needs a default" in p for p in found), found
    assert any("spec.yaml:8:7: state field 'stage' cannot be required" in p for p in found)
    assert any("spec.yaml:9:7: 'title' is a string field: a state machine" in p for p in found)
    assert any(
        "spec.yaml:10:7: transitions name 'nothing', which is not a field" in p for p in found
    )


def test_a_transition_may_not_share_a_route_with_a_relation_or_a_nested_collection() -> None:
    text = """\
name: shop
entities:
  Order:
    fields: {status: {type: enum, values: [a, b], default: a}}
    relations: {tags: {many_to_many: Tag}}
    transitions:
      status: {tags: {from: a, to: b}, lines: {from: b, to: a}}
  Tag:
    fields: {name: string}
  Line:
    plural: lines
    nested_under: Order
    fields: {n: integer}
    relations: {order: {belongs_to: Order}}
"""
    found = problems_of(text)
    assert any("spec.yaml:7:16: transition 'tags' and the relation 'tags'" in p for p in found), (
        found
    )
    assert any("spec.yaml:7:40: transition 'lines' and the collection 'lines'" in p for p in found)


def test_the_json_schema_documents_transitions() -> None:
    entity = spec_json_schema()["$defs"]["EntitySpec"]["properties"]
    assert "transitions" in entity
    move = spec_json_schema()["$defs"]["TransitionSpec"]["properties"]
    assert {"from", "to", "permission", "set"} <= set(move)


_STATES = st.lists(
    st.sampled_from(["draft", "open", "a b", "Été", "it's", "1", "true", "none"]),
    min_size=2,
    max_size=6,
    unique=True,
)


@settings(DRAWN, max_examples=60)
@given(data=st.data(), states=_STATES)
def test_any_drawn_machine_loads_and_gives_one_route_per_transition(
    data: st.DataObject, states: list[str]
) -> None:
    names = data.draw(
        st.lists(
            st.sampled_from(["go", "stop", "x_1", "reopen", "approve"]), min_size=1, unique=True
        )
    )
    moves = []
    for name in names:
        to = data.draw(st.sampled_from(states))
        rest = [s for s in states if s != to]
        sources = data.draw(st.lists(st.sampled_from(rest), min_size=1, unique=True))
        moves.append((name, sources, to))
    quoted = [f'"{s}"' if s != "it's" else '"it\'s"' for s in states]
    lines = [
        f"        {name}: {{from: [{', '.join(quoted[states.index(s)] for s in sources)}], "
        f"to: {quoted[states.index(to)]}}}"
        for name, sources, to in moves
    ]
    text = (
        "name: drawn\nentities:\n  Thing:\n    fields:\n"
        f"      state: {{type: enum, values: [{', '.join(quoted)}], default: {quoted[0]}}}\n"
        "    transitions:\n      state:\n" + "\n".join(lines) + "\n"
    )
    thing = design(load_spec_text(text)).entity("Thing")
    assert [(m.name, list(m.sources), m.target) for m in thing.transitions] == [
        (name, sources, to) for name, sources, to in moves
    ]
    posted = [r.path for r in thing.routes if r.action == "transition"]
    assert posted == [f"/api/v1/things/{{id}}/{name}" for name, _, _ in moves]
