"""Aggregates: the group keys and measures the loader accepts, and each refusal."""

from __future__ import annotations

import pytest

from backend_agent.design import design
from backend_agent.errors import SpecError
from backend_agent.spec import load_spec_text

SPEC = """\
name: sales
entities:
  Product:
    fields: {{name: string}}
  Sale:
    fields:
      status: {{type: enum, values: [open, paid], default: open}}
      total: {{type: decimal, scale: 2}}
      units: integer
      note: text
      sold_on: date
      paid_at: datetime
      ratio: decimal
    relations: {{product: {{belongs_to: Product}}}}
    aggregates: {{group_by: {keys}, measures: {measures}}}
"""


def problems(keys: str, measures: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec_text(SPEC.format(keys=keys, measures=measures), "spec.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_keys_and_measures_that_can_be_served_load() -> None:
    text = SPEC.format(
        keys="[status, product, sold_on, sold_on:month, paid_at:day, created_at:year]",
        measures="[count, sum:total, avg:total, sum:units, min:sold_on, max:paid_at]",
    )
    stats = design(load_spec_text(text)).entity("Sale").aggregates
    assert stats is not None
    assert [(k.text, k.column, k.period) for k in stats.keys][1:3] == [
        ("product", "product_id", None),
        ("sold_on", "sold_on", None),
    ]
    assert [m.key for m in stats.measures] == [
        "count", "sum_total", "avg_total", "sum_units", "min_sold_on", "max_paid_at"
    ]  # fmt: skip
    assert stats.measures[1].scale == 2


@pytest.mark.parametrize(
    ("keys", "measures", "message"),
    [
        ("[colour]", "[count]", "group_by names 'colour', which is not a field"),
        ("[paid_at]", "[count]", "'paid_at' is a datetime: group it by a period"),
        ("[sold_on:week]", "[count]", "'week' is not a period"),
        ("[status:month]", "[count]", "'status' is an enum field: only dates and datetimes"),
        ("[note]", "[count]", "'note' is a text field: rows group by"),
        ("[ratio]", "[count]", "'ratio' is a decimal field: rows group by"),
        ("[status, status]", "[count]", "group key 'status' is listed twice"),
        ("[status]", "[total]", "'total' is not a measure"),
        ("[status]", "[median:total]", "'median:total' is not a measure"),
        ("[status]", "[sum:status]", "'status' is an enum field: sum takes numbers"),
        ("[status]", "[max:note]", "'note' is a text field: max takes numbers, dates"),
        ("[status]", "[sum:price]", "measure 'sum:price' names 'price', which is not a field"),
        ("[status]", "[count, count]", "measure 'count' is listed twice"),
    ],
)
def test_a_key_or_measure_that_cannot_be_served_is_refused(
    keys: str, measures: str, message: str
) -> None:
    found = problems(keys, measures)
    assert any(message in problem for problem in found), found
