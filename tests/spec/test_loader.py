"""The spec loader: valid specs load; every mistake is reported with its location."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from backend_agent.errors import SpecError
from backend_agent.spec import load_spec, load_spec_text, spec_json_schema, starter_spec
from backend_agent.spec.source import parse_yaml
from tests.conftest import EXAMPLES

BROKEN = """\
name: blog
auth:
  roles: [admin, author]
  default_role: writer
entities:
  Post:
    owner: true
    fields:
      title: {type: strng, max_length: 200}
      status: {type: enum}
    relations:
      author: {belong_to: Post}
      category: {belongs_to: Categry}
    permissions: {update: owner_or_editor, delete: [admn]}
    filters: [titel]
    sort: [created]
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "spec.yaml")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_load(path: Path) -> None:
    spec = load_spec(path)
    assert spec.entities


def test_every_mistake_is_reported_with_its_location() -> None:
    assert problems_of(BROKEN) == [
        "spec.yaml:4:17: default_role 'writer' is not one of the roles (expected one of admin, "
        "author)",
        "spec.yaml:9:21: 'strng' is not a valid type (expected one of string, text, integer, "
        "decimal, boolean, date, datetime, enum, uuid, email, url, json); did you mean 'string'?",
        "spec.yaml:10:15: enum field 'status' needs 'values' (expected values: [a, b])",
        "spec.yaml:12:16: unknown key 'belong_to' (expected one of belongs_to, has_many, "
        "many_to_many, on_delete, required); did you mean 'belongs_to'?",
        "spec.yaml:13:30: belongs_to names an unknown entity 'Categry' (expected one of Post)",
        "spec.yaml:14:27: unknown permission 'owner_or_editor' (expected anyone, authenticated, "
        "owner, owner_or_<role> or a list of roles); did you mean 'owner_or_author'?",
        "spec.yaml:14:53: unknown role 'admn' (expected one of admin, author); did you mean "
        "'admin'?",
        "spec.yaml:15:15: filter 'titel' is not a field or belongs_to relation of 'Post' "
        "(expected one of title, status, category, category_id, owner_id); did you mean 'title'?",
        "spec.yaml:16:12: sort field 'created' is not a field of 'Post' (expected one of title, "
        "status, created_at, updated_at); did you mean 'created_at'?",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [x\n", "spec.yaml:2:1: invalid YAML"),
        ("", "spec.yaml:1:1: the spec is empty"),
        ("- a\n- b\n", "spec.yaml:1:1: the spec must be a mapping"),
        ("name: a\nname: b\nentities: {}\n", "spec.yaml:2:1: duplicate key 'name'"),
        ("name: a\n", "spec.yaml:1:1: missing required key 'entities'"),
        (
            "name: a\nentities:\n  User:\n    fields: {x: string}\n",
            "spec.yaml:3:3: entity name 'User' is reserved",
        ),
        (
            "name: a\nentities:\n  A:\n    fields: {id: uuid}\n",
            "spec.yaml:4:14: field name 'id' is reserved",
        ),
        (
            "name: a\nentities:\n  A:\n    fields: {n: {type: integer, min: 5, max: 1}}\n",
            "spec.yaml:4:38: 'min' (5) is greater than 'max' (1)",
        ),
        (
            "name: a\nentities:\n  A:\n    fields: {x: string}\n    permissions: {read: owner}\n",
            "spec.yaml:5:25: 'owner' needs the entity to have an owner",
        ),
        (
            "name: a\nentities:\n  A:\n    fields: {x: string}\n    nested_under: B\n",
            "spec.yaml:5:19: nested_under names an unknown entity 'B'",
        ),
        (
            "name: a\nentities:\n  A:\n    fields: {x: string}\n    relations:\n"
            "      b: {belongs_to: A, on_delete: set_null}\n",
            "spec.yaml:6:37: on_delete: set_null needs the relation to be optional",
        ),
        (
            "name: a\nentities:\n  A:\n    fields: {x: {type: string, pattern: '('}}\n",
            "spec.yaml:4:41: 'pattern': pattern does not compile",
        ),
        (
            "name: a\nauth: {token_ttl: soon}\nentities:\n  A:\n    fields: {x: string}\n",
            "spec.yaml:2:19: 'token_ttl': 'soon' is not a duration",
        ),
        (
            "name: a\nrate_limits: {write: lots}\nentities:\n  A:\n    fields: {x: string}\n",
            "spec.yaml:2:22: 'write': a rate limit looks like 5/minute",
        ),
        (
            "name: a\nentities:\n  A:\n    fields: {x: string}\n"
            "    rate_limits: {writes: 5/minute}\n",
            "spec.yaml:5:19: unknown key 'writes' (expected one of read, write); did you mean "
            "'write'?",
        ),
        (
            "name: a\nentities:\n  A:\n    fields: {x: string}\n    rate_limits: {read: 0/minute}\n",
            "spec.yaml:5:25: 'read': a rate limit looks like 5/minute",
        ),
        (
            "name: a\nauth: {rate_limit: 5/fortnight}\nentities:\n  A:\n    fields: {x: string}\n",
            "spec.yaml:2:20: 'rate_limit': a rate limit looks like 5/minute",
        ),
        (
            # Campaign seed 1224, spec 053: the owner's column and the relation's met.
            "name: a\nentities:\n  A:\n    owner: true\n    fields: {x: string}\n"
            "    relations: {owner: {belongs_to: A, required: false}}\n",
            "spec.yaml:6:17: relation 'owner' would be the column owner_id",
        ),
        (
            # Campaign seed 1224, spec 051: FTS5 refuses a column named rank.
            "name: a\nentities:\n  A:\n    fields: {rank: string, x: string}\n"
            "    search: [x, rank]\n",
            "spec.yaml:5:17: search names 'rank', a name SQLite's full-text index keeps",
        ),
        (
            "name: a\nentities:\n  A:\n    fields: {x: string}\n    pagination: pages\n",
            "spec.yaml:5:17: 'pages' is not a valid pagination (expected one of page, cursor); "
            "did you mean 'page'?",
        ),
    ],
)
def test_single_mistakes_are_located(text: str, expected: str) -> None:
    found = problems_of(text)
    assert any(p.startswith(expected) for p in found), found


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="spec file not found"):
        load_spec(tmp_path / "absent.yaml")


@pytest.mark.parametrize("name", ["My Tasks", "shop", "2fast"])
def test_starter_spec_is_valid(name: str) -> None:
    spec = load_spec_text(starter_spec(name))
    assert spec.name[0].isalpha()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_json_schema_accepts_the_examples(path: Path) -> None:
    # Read as the loader (and a YAML 1.2 editor) reads it: a job's ``on:`` is a word.
    document, _, problems = parse_yaml(path.read_text(), path.name)
    assert not problems
    jsonschema.Draft202012Validator(spec_json_schema()).validate(document)


def test_json_schema_rejects_unknown_keys() -> None:
    validator = jsonschema.Draft202012Validator(spec_json_schema())
    errors = list(validator.iter_errors({"name": "a", "entities": {}, "colour": "blue"}))
    assert any("colour" in e.message for e in errors)
