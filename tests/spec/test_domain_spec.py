"""What a spec declares for its hooks: error codes (refused when they clash) and custom actions."""

from __future__ import annotations

import pytest

from backend_agent.design import design
from backend_agent.design.errors import (
    ACTION_ERRORS,
    DOMAIN_ERROR,
    ERROR_CODES,
    TRANSITION_ERRORS,
    error_codes,
)
from backend_agent.errors import SpecError
from backend_agent.spec import load_spec_text
from backend_agent.spec.errorcodes import RESERVED_ERROR_CODES, class_name

SPEC = """\
name: shop
entities:
  Item:
    fields: {{name: string}}
errors: {errors}
"""


def problems(errors: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec_text(SPEC.format(errors=errors), "spec.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_the_reserved_codes_are_the_services_own() -> None:
    # Drift: a code the design adds must be reserved in the loader too.
    assert {*ERROR_CODES, *TRANSITION_ERRORS, *ACTION_ERRORS, *DOMAIN_ERROR} == RESERVED_ERROR_CODES


def test_declared_codes_join_the_services_codes() -> None:
    spec = load_spec_text(
        SPEC.format(errors="{OUT_OF_STOCK: 409, TOO_LATE: {status: 410, description: Gone.}}")
    )
    codes = error_codes(design(spec))
    assert codes["OUT_OF_STOCK"] == (409, "Refused by a rule of the service (OUT_OF_STOCK).")
    assert codes["TOO_LATE"] == (410, "Gone.")
    assert codes["DOMAIN_ERROR"][0] == 422
    assert class_name("OUT_OF_STOCK") == "OutOfStock"


@pytest.mark.parametrize(
    ("errors", "message"),
    [
        ("{CONFLICT: 409}", "error code 'CONFLICT' is one the service answers with on its own"),
        ("{DOMAIN_ERROR: 422}", "'DOMAIN_ERROR' is one the service answers with"),
        ("{OUT_OF_STOCK: 409, OUT_OF__STOCK: 409}", "would both be the class OutOfStock"),
        ("{OUT_OF_STOCK: 429}", "a domain error's status is one of 400, 402, 403, 404, 409"),
        ("{out_of_stock: 409}", "should match pattern '^[A-Z][A-Z0-9_]*$'"),
    ],
)
def test_a_code_that_would_mislead_clients_is_refused(errors: str, message: str) -> None:
    found = problems(errors)
    assert any(message in problem for problem in found), found


ACTIONS = """\
name: desk
auth: {{roles: [admin, agent]}}
entities:
  Ticket:
    owner: true
    fields: {{title: string, state: {{type: enum, values: [open, shut], default: open}}}}
    transitions: {{state: {{shut: {{from: open, to: shut}}}}}}
    relations: {{notes: {{has_many: Note}}}}
    actions: {actions}
  Note:
    fields: {{body: text}}
    relations: {{ticket: {{belongs_to: Ticket}}}}
"""


def test_custom_actions_load_with_their_rules() -> None:
    spec = load_spec_text(ACTIONS.format(actions="{archive: {permission: [admin]}, escalate: {}}"))
    blueprint = design(spec)
    ticket = blueprint.entity("Ticket")
    assert [(a.name, a.rule.kind) for a in ticket.actions] == [
        ("archive", "roles"),
        ("escalate", "owner_or_roles"),  # the update rule
    ]
    assert "NOT_IMPLEMENTED" in error_codes(blueprint)
    assert "NOT_IMPLEMENTED" not in error_codes(design(load_spec_text(SPEC.format(errors="{}"))))


@pytest.mark.parametrize(
    ("actions", "message"),
    [
        ("{update: {}}", "action name 'update' is one of the entity's own operations"),
        ("{notes: {}}", "action 'notes' and the relation 'notes' of 'Ticket' would share a route"),
        ("{shut: {}}", "action 'shut' and a transition of 'Ticket' share a route"),
        ("{class: {}}", "action 'class' cannot name its handler"),
        ("{before_create: {}}", "action 'before_create' cannot name its handler"),
        ("{archive: {method: DELETE}}", "method"),
        ("{archive: {permission: [boss]}}", "boss"),
    ],
)
def test_an_action_that_cannot_be_served_is_refused(actions: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_spec_text(ACTIONS.format(actions=actions), "spec.yaml")
    found = [str(problem) for problem in caught.value.problems]
    assert any(message in problem for problem in found), found


def test_no_action_may_take_a_hooks_name() -> None:
    # Drift: the hooks the generated service runs (app/core/hooks.py) are names no
    # action's handler may take.
    import ast
    import keyword
    from importlib import resources

    from backend_agent.spec.transitions import _NOT_HANDLERS

    source = resources.files("backend_agent.generate") / "platform/app/core/hooks.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    hooks = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "HOOKS"
    )
    assert set(hooks) == _NOT_HANDLERS - set(keyword.kwlist)
