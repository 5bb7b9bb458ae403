"""A field named like a list's own query parameter reaches the code and docs under its
designed name (backend_agent.design.queries), never under the list's."""

from __future__ import annotations

from urllib.parse import parse_qsl

from backend_agent.design import design
from backend_agent.generate.fields import filter_views
from backend_agent.generate.walkthrough import walkthrough
from backend_agent.spec import load_spec_text

SPEC = """\
name: shop
entities:
  Order:
    fields:
      limit: {type: integer, required: true, example: 5}
      filters: {type: string, max_length: 20, nullable: true}
      sort: {type: string, max_length: 20, nullable: true}
    filters: [limit, filters, sort]
    sort: [limit, created_at]
"""


def test_the_query_model_keeps_its_own_attributes() -> None:
    order = design(load_spec_text(SPEC, "shop.yaml")).entity("Order")
    lines = {view.name: view.line for view in filter_views(order, {}, "orders")}
    bounded = "Annotated[Annotated[int, Field(ge=-2147483648, le=2147483647)] | None, Field("
    assert lines["filter_limit"].startswith(f"filter_limit: {bounded}description=")
    assert "(Not `limit`: the list has another parameter by that name.)" in lines["filter_limit"]
    assert lines["limit_min"].startswith(f"limit_min: {bounded}description=")
    # PageParams.filters() stays a method; the field keeps its query name as an alias.
    assert lines["filters"].startswith("filters_: Annotated[")
    assert 'Field(alias="filters", description=' in lines["filters"]
    assert lines["filter_sort"].startswith("filter_sort: ")


def test_the_readme_walkthrough_filters_under_the_designed_name() -> None:
    query = walkthrough(design(load_spec_text(SPEC, "shop.yaml"))).list_query
    names = [name for name, _ in parse_qsl(query.removeprefix("?"))]
    assert names.count("limit") == 1  # the page size, not the field
    assert "filter_limit" in names
