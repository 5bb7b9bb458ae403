"""Factory rows of number fields stay inside the bounds a spec sets, wherever they lie:
the sample rows and the fresh values drawn past them (a ceiling below zero included)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given, reject, seed
from hypothesis import strategies as st

from backend_agent.design import design
from backend_agent.design.blueprint import EntityField
from backend_agent.design.metadata import decimal_bounds, integer_bounds
from backend_agent.errors import SpecError
from backend_agent.generate.freshdata import fresh_expression
from backend_agent.generate.samples import FACTORY_SAMPLES, row_value
from backend_agent.spec import load_spec_text
from tests.strategies.specs import DRAWN, SEED


def _field(text: str) -> EntityField:
    entity = design(load_spec_text(text, "numbers.yaml")).entities[0]
    return next(f for f in entity.fields if f.name == "x")


@st.composite
def number_specs(draw: st.DrawFn) -> str:
    """A number field ``x`` bounded by min/max and by a rule comparing it with a number
    (of any sign, so the range may lie wholly below zero)."""
    kind = draw(st.sampled_from(["integer", "decimal"]))
    field = f"{{type: {kind}"
    if kind == "decimal":
        field += ", precision: 8, scale: 2"
    least = draw(st.none() | st.integers(-5000, 5000))
    if least is not None:
        field += f", min: {least}"
    if draw(st.booleans()):
        field += f", max: {draw(st.integers(least if least is not None else -5000, 5000))}"
    field += "}"
    op = draw(st.sampled_from(["<", "<=", ">", ">="]))
    bound = draw(st.integers(-3000, 3000) | st.sampled_from(["0", "-0.5", "0.5", "-1"]))
    return (
        "name: numbers\nentities:\n  Thing:\n"
        f"    fields:\n      x: {field}\n    rules: ['x {op} {bound}']\n"
    )


def _bounds(field: EntityField) -> tuple[Decimal, Decimal]:
    if field.column.type == "integer":
        low, high = integer_bounds(field.column)
        return Decimal(low), Decimal(high)
    return decimal_bounds(field.column)


@seed(SEED)
@DRAWN
@given(text=number_specs())
def test_factory_rows_keep_the_bounds_of_their_field(text: str) -> None:
    try:
        field = _field(text)
    except SpecError:  # bounds no value keeps: the loader's refusal is tested elsewhere
        reject()
    low, high = _bounds(field)
    rows = [Decimal(str(row_value(field, n))) for n in range(FACTORY_SAMPLES)]
    assert all(low <= value <= high for value in rows), (text, rows)
    expression = fresh_expression(field)
    if expression is None:
        return
    serial = itertools.count()
    names = {"Decimal": Decimal, "SERIAL": serial}
    fresh = [Decimal(str(eval(expression, names))) for _ in range(20)]  # noqa: S307 - ours
    assert all(low <= value <= high for value in fresh), (text, expression, fresh)


def test_a_ceiling_below_zero_leaves_increasing_rows_below_it() -> None:
    field = _field(
        "name: numbers\nentities:\n  Thing:\n"
        "    fields:\n      x: {type: decimal, nullable: true}\n    rules: ['x < 0']\n"
    )
    rows = [row_value(field, n) for n in range(3)]
    assert rows == sorted(rows), rows  # type: ignore[type-var]
    assert len(set(rows)) == 3, rows
    assert all(Decimal(str(value)) <= Decimal("-0.01") for value in rows), rows
