"""Entities no role could create are refused with the rules that shut everyone out."""

from __future__ import annotations

import pytest

from backend_agent.errors import SpecError
from backend_agent.spec import load_spec_text

SPEC = """\
name: x
auth: {{roles: [owner, editor, member]}}
entities:
  Note:
    fields: {{x: string}}
    permissions: {{read: {note_read}}}
  Column:
    fields: {{y: string}}
    relations: {{sa: {{belongs_to: Note{optional}}}}}
    permissions: {{create: {column_create}}}
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "spec.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_an_entity_whose_creators_cannot_read_its_required_parent_is_refused() -> None:
    # Campaign seed 1216, specs 029 and 030: every create of a Column named a Note only
    # editors could read, and only owners could create Columns: no row could ever be made.
    text = SPEC.format(note_read="[editor]", column_create="[owner]", optional="")
    assert problems_of(text) == [
        "spec.yaml:10:27: no role may create a Column: create admits owner, and every Column "
        "names a Note ('sa') that only editor may read (a create may name only rows its "
        "caller can read); let one role do both: add it to Column's create rule or to "
        "Note's read rule"
    ]


@pytest.mark.parametrize(
    ("note_read", "column_create", "optional"),
    [
        ("[editor]", "[owner, editor]", ""),  # editor may do both
        ("[editor]", "authenticated", ""),  # every role may create, editor among them
        ("owner_or_editor", "[owner]", ""),  # not an owned entity: refused elsewhere if so
        ("[editor]", "[owner]", ", required: false"),  # the parent may be left out
    ],
)
def test_an_entity_some_role_may_create_loads(
    note_read: str, column_create: str, optional: str
) -> None:
    text = SPEC.format(note_read=note_read, column_create=column_create, optional=optional)
    if note_read.startswith("owner"):
        text = text.replace("  Note:\n", "  Note:\n    owner: true\n")
    assert "Column" in load_spec_text(text, "spec.yaml").entities


def test_a_parent_read_only_through_its_own_parent_counts_that_parents_rule() -> None:
    text = """\
name: x
auth: {roles: [owner, editor]}
entities:
  Book:
    fields: {x: string}
    permissions: {read: [editor]}
  Chapter:
    nested_under: Book
    fields: {y: string}
    relations: {book: {belongs_to: Book}}
  Note:
    fields: {z: string}
    relations: {chapter: {belongs_to: Chapter}}
    permissions: {create: [owner]}
"""
    (problem,) = problems_of(text)
    assert "no role may create a Note" in problem
    assert "names a Chapter ('chapter') that only editor may read" in problem


NESTED = """\
name: x
auth: {{roles: [admin, staff]}}
entities:
  Box:
    fields: {{label: string}}
    permissions: {{read: [staff]}}
  Task:
    nested_under: Box
    fields: {{state: {{type: enum, values: [open, done], default: open}}}}
    relations: {{box: {{belongs_to: Box}}}}
    permissions: {{{rules}}}
    transitions: {{state: {{finish: {{from: open, to: done{move}}}}}}}
"""


def test_a_nested_entity_whose_writers_cannot_read_the_parent_is_refused() -> None:
    # Campaign seed 1218, spec 001: Task's default update and delete rules admit the
    # admin only, and only staff may read the Box every Task is nested under.
    problems = problems_of(NESTED.format(rules="create: [staff]", move=""))
    assert sorted(p.split(": ", 1)[1] for p in problems) == sorted(
        [
            "no role may update a Task: update admits admin (the default rule), and every Task "
            "is nested under a Box that only staff may read; give Task an update rule naming a "
            "role that may read Box, or add admin to Box's read rule",
            "no role may delete a Task: delete admits admin (the default rule), and every Task "
            "is nested under a Box that only staff may read; give Task a delete rule naming a "
            "role that may read Box, or add admin to Box's read rule",
            "no role may finish a Task: finish admits admin (the default rule), and every Task "
            "is nested under a Box that only staff may read; give Task a finish rule naming a "
            "role that may read Box, or add admin to Box's read rule",
        ]
    )
    rules, move = "update: [staff], delete: [staff]", ", permission: [admin]"
    stated = problems_of(NESTED.format(rules=rules, move=move))
    assert len(stated) == 1
    assert "spec.yaml:12:" in stated[0]
    assert "no role may finish a Task: finish admits admin, and" in stated[0]


def test_a_nested_entity_a_reader_of_the_parent_may_change_loads() -> None:
    text = NESTED.format(rules="update: [staff], delete: authenticated", move="")
    assert "Task" in load_spec_text(text, "spec.yaml").entities


SHUT_OUT = """\
name: x
auth: {{roles: [owner, editor, member]}}
entities:
  Column:
    fields: {{y: string}}
    permissions: {{read: [editor]}}
  Project:
    fields: {{z: string}}
    relations: {{column: {{belongs_to: Column}}}}
    nested_under: Column
    permissions: {{{rules}}}
"""


def test_a_nested_entity_whose_readers_cannot_read_the_parent_is_refused() -> None:
    # Campaign seed 1221, spec 008: only members may read a Project, only editors the
    # Column every Project is nested under; no one could ever see a Project.
    problems = problems_of(SHUT_OUT.format(rules="read: [member, owner], list: [owner]"))
    assert [p.split(": ", 1)[1] for p in problems] == [
        "no role may read a Project: read admits member, owner, and every Project is nested "
        "under a Column that only editor may read; name a role that may read Column in "
        "Project's read rule, or add member, owner to Column's read rule",
        "no role may list a Project: list admits owner, and every Project is nested under a "
        "Column that only editor may read; name a role that may read Column in Project's "
        "list rule, or add owner to Column's read rule",
    ]
    assert "spec.yaml:11:" in problems[0]


@pytest.mark.parametrize("rules", ["read: [editor, member]", "list: authenticated", ""])
def test_a_nested_entity_a_reader_of_the_parent_may_read_loads(rules: str) -> None:
    assert "Project" in load_spec_text(SHUT_OUT.format(rules=rules), "spec.yaml").entities
