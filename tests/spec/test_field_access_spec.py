"""Field-level permissions in the spec: the roles named, and no use of a field that
would show its values to a role that may not read it."""

from __future__ import annotations

import pytest

from backend_agent.errors import SpecError
from backend_agent.spec import load_spec_text

BASE = """\
name: staff
auth: {roles: [admin, manager, member], default_role: member}
entities:
  Employee:
    fields:
      name: {type: string, required: true}
      salary: {type: decimal, nullable: true, read: [admin, manager], write: [admin]}
      status: {type: enum, values: [new, done], default: new}
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "spec.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_roles_that_may_read_and_write_a_field_load() -> None:
    spec = load_spec_text(BASE)
    salary = spec.entities["Employee"].fields["salary"]
    assert (salary.read, salary.write) == (("admin", "manager"), ("admin",))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("read: [admin, manager]", "read: [admin, boss]"),
            "spec.yaml:7:61: 'read' names 'boss', which is not one of the roles",
        ),
        (
            ("    fields:\n", "    filters: [salary]\n    fields:\n"),
            "spec.yaml:5:15: 'salary' is shown only to admin, manager, so it cannot be in filters",
        ),
        (
            ("    fields:\n", "    sort: [name, salary]\n    fields:\n"),
            "spec.yaml:5:18: 'salary' is shown only to admin, manager, so it cannot be in sort",
        ),
        (
            ("    fields:\n", "    aggregates: {measures: [count, sum:salary]}\n    fields:\n"),
            "spec.yaml:5:36: 'salary' is shown only to admin, manager, so it cannot be in the stats",
        ),
        (
            ("    fields:\n", "    rules: ['salary >= 0']\n    fields:\n"),
            "spec.yaml:5:13: 'salary' is shown only to admin, manager, so it cannot be compared",
        ),
        (
            ("nullable: true, read", "nullable: true, unique: true, read"),
            "'salary' is shown only to admin, manager, so it cannot be unique",
        ),
        (
            (
                "salary: {type: decimal, nullable: true,",
                "salary: {type: decimal, required: true, default: 1,",
            ),
            "spec.yaml:7:41: 'salary' may be set only by admin, so it cannot be required",
        ),
        (
            (
                "salary: {type: decimal, nullable: true, read: [admin, manager], write: [admin]}",
                "salary: {type: decimal, required: true, read: [admin, manager]}",
            ),
            "spec.yaml:7:41: 'salary' is shown only to admin, manager, so it cannot be required",
        ),
        (
            (
                "default: new}",
                "default: new, read: [admin]}\n    transitions: {status: {close: {from: new, to: done}}}",
            ),
            "'status' is a state field: its transitions answer with it",
        ),
    ],
)
def test_a_use_that_would_show_a_hidden_field_is_refused(
    change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in BASE
    found = problems_of(BASE.replace(old, new, 1))
    assert any(expected in problem for problem in found), found
