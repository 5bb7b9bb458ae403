"""A decimal field's served schema says what it accepts, and values drawn from it fit.

Campaign seed 1209 (tests/spec/drawn/found-decimal-scale-zero.yaml): the seed gate sent
383.37 to a decimal of scale 0 and every row was refused (422). The served request schema
(Pydantic's) said only ``anyOf [number, string]``: no scale, and no bounds unless the spec
gave some.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from hypothesis import given, seed
from hypothesis import strategies as st
from pydantic import Field, TypeAdapter, ValidationError

from backend_agent.design import design
from backend_agent.design.blueprint import Column
from backend_agent.design.openapi import field_schema
from backend_agent.generate.fields import value_type
from backend_agent.spec import load_spec_text
from backend_agent.verify.live.samples import sample
from tests.strategies.specs import DRAWN, SEED


def _column(spec: str) -> Column:
    text = f"name: a\nentities:\n  Thing:\n    fields:\n      x: {spec}\n"
    entity = design(load_spec_text(text, "decimal.yaml")).entities[0]
    return next(f for f in entity.fields if f.name == "x").column


def _served(column: Column) -> TypeAdapter[Any]:
    """The request type the generated schema module declares, as the service runs it."""
    names = {"Annotated": Annotated, "Decimal": Decimal, "Field": Field}
    annotation = eval(value_type(column), names)  # noqa: S307 - our own generated source
    return TypeAdapter(annotation)


@st.composite
def decimals(draw: st.DrawFn) -> str:
    precision = draw(st.integers(1, 18))
    scale = draw(st.integers(0, min(precision, 6)))
    spec = f"{{type: decimal, precision: {precision}, scale: {scale}"
    whole = 10 ** (precision - scale) - 1
    if draw(st.booleans()):
        least = draw(st.integers(-whole, whole))
        most = draw(st.integers(least, whole))
        spec += f", min: {least}, max: {most}"
    return spec + "}"


@seed(SEED)
@DRAWN
@given(spec=decimals())
def test_values_drawn_from_the_served_and_designed_schemas_are_accepted(spec: str) -> None:
    column = _column(spec)
    adapter = _served(column)
    served = adapter.json_schema(mode="validation")
    assert served["multipleOf"] == float(Decimal(1).scaleb(-(column.scale or 0)))
    for schema in (served, field_schema(column, request=True)):
        for n in range(60):
            value = sample(schema, n, name="x")
            try:
                adapter.validate_python(value)
            except ValidationError as exc:
                raise AssertionError(f"{spec}: row {n} sent {value!r}: {exc}") from None


def test_a_decimal_without_bounds_is_bounded_by_what_its_column_stores() -> None:
    adapter = _served(_column("{type: decimal, precision: 5, scale: 2}"))
    assert adapter.validate_python("999.99") == Decimal("999.99")
    for refused in ("1000", "-1000", "0.001"):
        try:
            adapter.validate_python(refused)
        except ValidationError:
            continue
        raise AssertionError(f"{refused} was accepted by NUMERIC(5, 2)")
    number = next(
        s for s in adapter.json_schema(mode="validation")["anyOf"] if s["type"] == "number"
    )
    assert (number["minimum"], number["maximum"]) == (-999.99, 999.99)
