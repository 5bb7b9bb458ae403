"""Request types accept only what the columns behind them store."""

from __future__ import annotations

import types
from pathlib import PurePosixPath

import pydantic
import pytest

from backend_agent.design.blueprint import Column
from backend_agent.design.openapi import field_schema
from backend_agent.generate.fields import value_type
from tests.generate.conftest import generated


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
    # With constraints, Storable (Text's validator) comes after them, or the JSON Schema
    # would lose their pattern.
    assert value_type(Column("title", "string", nullable=False, max_length=9)) == (
        "Annotated[str, Field(max_length=9), Storable]"
    )
    assert value_type(Column("data", "json", nullable=True)) == "StoredJson"


def test_json_fields_refuse_numbers_the_database_would_give_back_beyond_64_bits() -> None:
    # PostgreSQL writes the number 2.9e44 back as a 45-digit integer that no JSON encoder
    # of the service writes (found by the contract gate on the library's Book.metadata).
    types = types_module()
    adapter = pydantic.TypeAdapter(types.StoredJson)
    assert adapter.validate_python({"a": [1, 2.5, 2**63 - 1, -(2**63) + 1]})
    for value in ({"a": 2**63}, [[2.9563834068220156e44, "x", True]], -(2**64)):
        with pytest.raises(pydantic.ValidationError, match="beyond 64 bits"):
            adapter.validate_python(value)


def types_module() -> types.ModuleType:
    """The rendered app/schemas/types.py of the blog example, imported on its own."""
    source = generated("blog")[PurePosixPath("app/schemas/types.py")]
    module = types.ModuleType("generated_types")
    exec(compile(source, "app/schemas/types.py", "exec"), module.__dict__)  # noqa: S102 - our own render
    return module
