"""The generated rule tests break the rule they name, and accept every CHECK the change
breaks: the database names whichever it tries first (campaign seed 1221, spec 006)."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from backend_agent.design import design
from backend_agent.design.blueprint import Entity
from backend_agent.generate.ruledata import settle
from backend_agent.generate.samples import row_value
from backend_agent.generate.testdata import suite_plan
from backend_agent.spec import load_spec_text
from tests.conftest import EXAMPLES

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

SAME_PAIR = """
name: rules_same_pair
entities:
  Booking:
    fields:
      starts: {type: integer, required: true}
      ends: {type: integer, required: true}
      opens: {type: date, required: true}
      closes: {type: date, required: true}
    rules: ["starts < ends", "ends >= starts", "opens <= closes", "closes > opens"]
"""

CHAINED = """
name: rules_chained
entities:
  Span:
    fields:
      low: {type: decimal, required: true, precision: 8, scale: 2}
      mid: {type: decimal, required: true, precision: 8, scale: 2}
      high: {type: decimal, required: true, precision: 8, scale: 2, max: 50}
    rules: ["low < mid", "mid < high", "low < high"]
"""


def _sample_zero(entity: Entity) -> dict[str, object]:
    """Sample 0 as the factory writes it (the rules' greater sides raised)."""
    return settle(entity, {f.name: row_value(f, 0) for f in entity.writable_fields})


def _change(entity: Entity, body_change: str) -> dict[str, object]:
    """A case's change (JSON values of a request body) as Python values of the row."""
    read: dict[str, Callable[[Any], object]] = {
        "decimal": Decimal,
        "date": date.fromisoformat,
        "datetime": datetime.fromisoformat,
    }
    types = {f.name: f.column.type for f in entity.writable_fields}
    change: dict[str, object] = {}
    for name, value in ast.literal_eval(body_change).items():
        kind = types[name]
        change[name] = read[kind](value) if kind in read else value
    return change


def _broken(entity: Entity, row: dict[str, object]) -> set[str]:
    return {
        rule.name
        for rule in entity.table.rules
        if not OPERATORS[rule.op](row[rule.left], row[rule.right])
    }


def _cases(text: str) -> list[tuple[Entity, Any]]:
    blueprint = design(load_spec_text(text))
    plans = {plan.name: plan for plan in suite_plan(blueprint).entities}
    return [
        (entity, case) for entity in blueprint.entities for case in plans[entity.name].rule_cases
    ]


@pytest.mark.parametrize("text", [SAME_PAIR, CHAINED], ids=["same-pair", "chained"])
def test_each_case_accepts_exactly_the_checks_its_change_breaks(text: str) -> None:
    cases = _cases(text)
    assert cases
    for entity, case in cases:
        change = _change(entity, case.body_change)
        row = _sample_zero(entity) | change
        broken = _broken(entity, row)
        named = set(case.constraints)
        assert named == broken, (case.text, change, broken, named)
        own = next(rule.name for rule in entity.table.rules if rule.text == case.text)
        assert own in named
        # Every CHECK the change breaks compares the case's two fields: the 422 names them.
        fields = ast.literal_eval(case.fields)
        for rule in entity.table.rules:
            if rule.name in broken:
                assert {rule.left, rule.right} == fields, (case.text, rule.text)


def test_every_rule_of_two_rules_over_one_pair_has_a_case() -> None:
    texts = {case.text for _, case in _cases(SAME_PAIR)}
    assert texts == {"starts < ends", "ends >= starts", "opens <= closes", "closes > opens"}


def test_the_examples_rule_cases_name_what_they_break() -> None:
    for path in EXAMPLES:
        for entity, case in _cases(path.read_text()):
            change = _change(entity, case.body_change)
            named = set(case.constraints)
            assert named == _broken(entity, _sample_zero(entity) | change), case.text
