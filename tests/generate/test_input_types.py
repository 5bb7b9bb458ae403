"""Request types accept only what the columns behind them store."""

from __future__ import annotations

from backend_agent.design.blueprint import Column
from backend_agent.design.openapi import field_schema
from backend_agent.generate.fields import value_type


def test_an_unbounded_integer_is_bounded_by_its_32_bit_column() -> None:
    column = Column("count", "integer", nullable=False)
    assert value_type(column) == "Annotated[int, Field(ge=-2147483648, le=2147483647)]"
    schema = field_schema(column)
    assert (schema["minimum"], schema["maximum"]) == (-(2**31), 2**31 - 1)


def test_spec_bounds_inside_the_column_range_are_kept_and_outside_it_clamped() -> None:
    inside = Column("pages", "integer", nullable=False, minimum="1", maximum="10000")
    assert value_type(inside) == "Annotated[int, Field(ge=1, le=10000)]"
    outside = Column("big", "integer", nullable=False, minimum="-1e12", maximum="9999999999")
    assert value_type(outside) == "Annotated[int, Field(ge=-2147483648, le=2147483647)]"
    schema = field_schema(outside)
    assert (schema["minimum"], schema["maximum"]) == (-(2**31), 2**31 - 1)


def test_text_refuses_what_no_database_stores() -> None:
    # Text (app.schemas.types) refuses NUL and lone surrogates; plain str would not.
    assert value_type(Column("name", "string", nullable=False)) == "Text"
    assert value_type(Column("title", "string", nullable=False, max_length=9)).startswith(
        "Annotated[Text, "
    )
    assert value_type(Column("data", "json", nullable=True)) == "StoredJson"
