"""Classes of defects campaign seed 1228 found, each checked fast on the rendered tests
(the whole build of each found spec is a regression spec in ``tests/spec/drawn/``)."""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from backend_agent.design import design
from backend_agent.generate import render
from backend_agent.spec import load_spec_text


def _function(files: dict[PurePosixPath, str], path: str, name: str) -> ast.AsyncFunctionDef:
    tree = ast.parse(files[PurePosixPath(path)])
    return next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.AsyncFunctionDef) and node.name == name
    )


def test_the_ranked_search_is_read_on_every_page_of_its_matches() -> None:
    # Specs 008, 012, 013: with page_size 1, the relevance-ranked read took the first page
    # alone and compared it with every match.
    text = (
        "name: x\npage_size: 1\nentities:\n  Note:\n"
        "    fields: {title: {type: string, required: true}}\n    search: [title]\n"
    )
    files = render(design(load_spec_text(text, "x.yaml")))
    test = _function(
        files, "tests/test_search.py", "test_note_search_finds_every_word_best_match_first"
    )
    for call in ast.walk(test):
        if not (isinstance(call, ast.Call) and ast.unparse(call.func) == "client.get"):
            continue
        params = next((k.value for k in call.keywords if k.arg == "params"), None)
        assert isinstance(params, ast.Dict)
        keys = {key.value for key in params.keys if isinstance(key, ast.Constant)}
        # A single page of matches is compared with all of them only when it is cut on purpose.
        assert "limit" in keys, ast.unparse(call)


UNIQUE_GROUP = """
name: x
auth: {roles: [staff, none]}
entities:
  Check:
    owner: true
    fields: {a: string}
    permissions: {read: [none], list: [none], create: [none, staff]}
  Project:
    fields: {min: {type: integer, required: true}}
    relations: {super: {belongs_to: Check, required: false}}
    unique_together: [[super, min]]
    permissions: {create: %s}
"""


def test_a_second_create_is_a_conflict_only_where_the_body_fills_the_unique_group() -> None:
    # Spec 114: the creating role may not name a Check, so its body leaves super_id out;
    # the group (super_id, min) then holds a NULL, which equals nothing, and the second
    # create rightly succeeded where the test expected 409.
    conflict = "test_create_with_a_taken_unique_value_is_a_conflict"
    for creators, expected in (("[staff]", False), ("[none]", True)):
        files = render(design(load_spec_text(UNIQUE_GROUP % creators, "x.yaml")))
        assert (conflict in files[PurePosixPath("tests/test_project.py")]) is expected, creators
