"""Lists paged by cursor in the design: the contract's parameters, metadata and header,
the reserved ``cursor`` name, and no kept count (such a list reports no total)."""

from __future__ import annotations

from typing import Any

from backend_agent.design import design
from backend_agent.design.counts import counted_tables
from backend_agent.design.openapi import openapi_document
from backend_agent.design.queries import CURSOR_DESCRIPTION, MAX_CURSOR_LENGTH, list_filters
from backend_agent.spec import load_spec_text

SPEC = """\
name: x
entities:
  Post:
    fields: {title: string, cursor: {type: string, nullable: true}}
    filters: [cursor]
    pagination: cursor
  Comment:
    fields: {body: text}
    relations: {post: {belongs_to: Post}}
    nested_under: Post
    pagination: cursor
  Tag:
    fields: {cursor: string}
    filters: [cursor]
    relations: {posts: {many_to_many: Post}}
"""


def _list(document: dict[str, Any], path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    operation = document["paths"][path]["get"]
    return {p["name"]: p for p in operation["parameters"]}, operation["responses"]["200"]


def test_a_cursor_list_takes_a_cursor_and_answers_the_next_one() -> None:
    document = openapi_document(design(load_spec_text(SPEC)))
    for path in ("/api/v1/posts", "/api/v1/posts/{post_id}/comments", "/api/v1/tags/{id}/posts"):
        params, ok = _list(document, path)
        assert "page" not in params, path
        assert params["cursor"]["schema"] == {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_CURSOR_LENGTH,
        }
        assert params["cursor"]["description"] == CURSOR_DESCRIPTION
        assert "Link" in ok["headers"], path
    schemas = document["components"]["schemas"]
    assert schemas["PostPage"]["properties"]["meta"] == {"$ref": "#/components/schemas/CursorMeta"}
    assert schemas["CursorMeta"]["required"] == ["limit", "next_cursor"]
    assert schemas["CursorMeta"]["properties"]["next_cursor"]["type"] == ["string", "null"]


def test_a_numbered_list_keeps_its_page_and_total() -> None:
    document = openapi_document(design(load_spec_text(SPEC)))
    params, ok = _list(document, "/api/v1/tags")
    assert "cursor" not in params
    assert params["page"]["schema"]["minimum"] == 1
    assert "Link" not in ok.get("headers", {})
    schemas = document["components"]["schemas"]
    assert schemas["TagPage"]["properties"]["meta"] == {"$ref": "#/components/schemas/PageMeta"}
    plain = openapi_document(design(load_spec_text(SPEC.replace("pagination: cursor", ""))))
    assert "CursorMeta" not in plain["components"]["schemas"]


def test_cursor_is_a_list_parameter_of_every_list() -> None:
    """A field named ``cursor`` is filtered as ``filter_cursor`` whichever the paging,
    so switching an entity's pagination never renames one of its filters."""
    blueprint = design(load_spec_text(SPEC))
    for name in ("Post", "Tag"):
        assert [f.param for f in list_filters(blueprint.entity(name))] == ["filter_cursor"]


def test_a_list_paged_by_cursor_keeps_no_count() -> None:
    blueprint = design(load_spec_text(SPEC))
    assert [c.table for c in counted_tables(blueprint.entities)] == ["tags"]


def test_the_generated_cursor_bound_is_the_designed_one() -> None:
    """The codec refuses what the query model would (app/core/cursors.py keeps its own
    copy of the bound: a platform file imports nothing from the generator)."""
    from tests.conftest import ROOT

    codec = ROOT / "src" / "backend_agent" / "generate" / "platform" / "app" / "core" / "cursors.py"
    assert f"_MAX_LENGTH = {MAX_CURSOR_LENGTH}  #" in codec.read_text(encoding="utf-8")
