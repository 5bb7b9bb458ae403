"""The query parameters of a list: a field never takes the name of another parameter."""

from __future__ import annotations

import pytest

from backend_agent.design import design, openapi_document
from backend_agent.design.queries import LIST_PARAMETERS, list_filters
from backend_agent.spec import load_spec_text

SPEC = """\
name: shop
entities:
  Order:
    fields:
      reference: {type: string, max_length: 40}
      limit: {type: integer, nullable: true}
      page: {type: string, nullable: true}
      sort: {type: string, nullable: true}
      filters: {type: string, nullable: true}
      total: {type: integer, nullable: true}
      total_min: {type: integer, nullable: true}
      filter_total_min: {type: integer, nullable: true}
    filters: [reference, limit, page, sort, filters, total, total_min, filter_total_min]
"""


def _order_filters() -> dict[tuple[str, str], str]:
    order = design(load_spec_text(SPEC, "shop.yaml")).entity("Order")
    return {(f.field, f.op): f.param for f in list_filters(order)}


@pytest.mark.parametrize(
    ("field", "op", "param"),
    [
        ("reference", "EQ", "reference"),
        ("limit", "EQ", "filter_limit"),
        ("limit", "GE", "limit_min"),
        ("limit", "LE", "limit_max"),
        ("page", "EQ", "filter_page"),
        ("sort", "EQ", "filter_sort"),
        ("filters", "EQ", "filters"),
        ("total_min", "EQ", "total_min"),  # a field keeps its name over another's range
        ("filter_total_min", "EQ", "filter_total_min"),
        ("total", "GE", "filter_total_min_2"),  # its fallback is a field's name as well
        ("total", "LE", "total_max"),
    ],
)
def test_each_filter_gets_a_name_of_its_own(field: str, op: str, param: str) -> None:
    assert _order_filters()[field, op] == param


def test_the_names_are_unique_and_none_is_a_list_parameter() -> None:
    params = list(_order_filters().values())
    assert len(set(params)) == len(params)
    assert not set(params) & set(LIST_PARAMETERS)


def test_the_openapi_document_lists_each_parameter_once_and_says_why_one_moved() -> None:
    document = openapi_document(design(load_spec_text(SPEC, "shop.yaml")))
    listed = document["paths"]["/api/v1/orders"]["get"]["parameters"]
    names = [p["name"] for p in listed]
    assert len(set(names)) == len(names)
    assert {"page", "limit", "sort", *_order_filters().values()} <= set(names)
    described = {p["name"]: p.get("description", "") for p in listed}
    assert described["filter_limit"].startswith("Only rows whose limit equals this.")
    assert "`limit`" in described["filter_limit"]
    assert described["limit_min"] == "Only rows whose limit is at least this."
