"""``search:``: the fields a list's ``q`` searches, refused where they hold no words."""

from __future__ import annotations

import pytest

from backend_agent.errors import SpecError
from backend_agent.spec import load_spec_text
from backend_agent.spec.schema import spec_json_schema

SPEC = """\
name: x
entities:
  Post:
    fields:
      title: string
      body: text
      status: {{type: enum, values: [draft, live]}}
      views: integer
    search: {search}
"""


def problems_of(search: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec_text(SPEC.format(search=search), "spec.yaml")
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("search", "fields", "language"),
    [
        ("[title, body]", ("title", "body"), "english"),
        ("{fields: [status], language: french}", ("status",), "french"),
        ("[body]", ("body",), "english"),
    ],
)
def test_search_loads_in_either_form(search: str, fields: tuple[str, ...], language: str) -> None:
    spec = load_spec_text(SPEC.format(search=search), "spec.yaml")
    found = spec.entities["Post"].search
    assert found is not None
    assert (found.fields, found.language) == (fields, language)


def test_fields_that_hold_no_words_unknown_or_repeated_are_refused_where_they_are() -> None:
    problems = problems_of("[title, views, bdy, title]")
    assert problems == [
        "spec.yaml:9:21: search names 'views', of type integer: only strings, text, e-mail "
        "addresses, URLs and enums hold words to search (expected one of body, status, title); "
        "remove 'views' from search",
        "spec.yaml:9:28: search names 'bdy', which is not a field of 'Post' (expected one of "
        "body, status, title); did you mean 'body'?",
        "spec.yaml:9:33: search names 'title' twice; remove the second 'title'",
    ]


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("[]", "'fields': tuple should have at least 1 item"),
        ("{fields: [title], language: klingon}", "'klingon' is not a valid language"),
        ("{fields: [title], stemming: true}", "unknown key 'stemming'"),
    ],
)
def test_a_malformed_search_is_refused(search: str, message: str) -> None:
    problems = problems_of(search)
    assert len(problems) == 1
    assert problems[0].startswith("spec.yaml:9:")
    assert message in problems[0], problems


def test_a_table_too_long_for_the_index_names_is_refused() -> None:
    text = SPEC.format(search="[title]").replace(
        "    search:", f"    plural: {'p' * 52}\n    search:"
    )
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "spec.yaml")
    assert f"_search_{'p' * 52}_docsize" in str(caught.value)


def test_the_json_schema_takes_both_forms() -> None:
    search = spec_json_schema()["$defs"]["SearchSpec"]
    shorthand, full = search["anyOf"]
    assert shorthand["type"] == "array"
    assert "language" in full["properties"]
