"""Full-text search in the design: the index on the table, ``q`` and the relevance
sort in the list's contract, and the one description shared with the generated code."""

from __future__ import annotations

from backend_agent.design import design
from backend_agent.design.blueprint import TextSearch
from backend_agent.design.openapi import openapi_document
from backend_agent.design.queries import (
    MAX_SEARCH_LENGTH,
    SEARCH_DESCRIPTION,
    list_filters,
)
from backend_agent.spec import load_spec_text
from tests.conftest import ROOT

PLATFORM_SCHEMA = ROOT / "src" / "backend_agent" / "generate" / "platform" / "app" / "schemas"

SPEC = """\
name: x
entities:
  Post:
    fields: {title: string, body: text, q: {type: string, nullable: true}}
    filters: [q]
    search: {fields: [body, title], language: simple}
  Tag:
    fields: {q: string}
    filters: [q]
"""


def test_the_index_is_on_the_table_in_the_spec_order() -> None:
    blueprint = design(load_spec_text(SPEC))
    assert blueprint.entity("Post").table.search == TextSearch(("body", "title"), "simple")
    assert blueprint.entity("Tag").table.search is None


def test_q_belongs_to_the_search_and_a_field_named_q_is_filtered_as_filter_q() -> None:
    blueprint = design(load_spec_text(SPEC))
    assert [f.param for f in list_filters(blueprint.entity("Post"))] == ["filter_q"]
    assert [f.param for f in list_filters(blueprint.entity("Tag"))] == ["q"]


def test_the_list_documents_q_and_the_relevance_sort() -> None:
    document = openapi_document(design(load_spec_text(SPEC)))
    params = {p["name"]: p for p in document["paths"]["/api/v1/posts"]["get"]["parameters"]}
    assert params["q"]["schema"] == {"type": "string", "minLength": 1, "maxLength": 200}
    assert params["q"]["description"] == SEARCH_DESCRIPTION
    assert "relevance" in params["sort"]["schema"]["enum"]
    assert "filter_q" in params
    tags = {p["name"]: p for p in document["paths"]["/api/v1/tags"]["get"]["parameters"]}
    assert "relevance" not in tags["sort"]["schema"]["enum"]
    assert tags["q"]["description"].startswith("Only rows whose q equals")


def test_the_generated_q_is_described_and_bounded_as_designed() -> None:
    text = (PLATFORM_SCHEMA / "search.py").read_text()
    assert f"MAX_SEARCH_LENGTH = {MAX_SEARCH_LENGTH}\n" in text
    described = text.split("SEARCH_DESCRIPTION = (", 1)[1].split(")", 1)[0]
    joined = "".join(part.strip().strip('"') for part in described.strip().splitlines())
    assert joined == SEARCH_DESCRIPTION
