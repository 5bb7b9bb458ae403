"""The building blocks of generated code: Python literals, names, sample values."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path, PurePosixPath

import pytest

import backend_agent.generate as generate_package
from backend_agent.design.blueprint import Column, EntityField
from backend_agent.generate.format import RUFF_VERSION, format_python
from backend_agent.generate.pyexpr import identifier, py, server_default, with_article
from backend_agent.generate.samples import body_value, row_value


@pytest.mark.parametrize(
    ("value", "source"),
    [
        (None, "None"),
        (True, "True"),
        (3, "3"),
        ('it\'s "quoted"', '"it\'s \\"quoted\\""'),
        (Decimal("1.50"), 'Decimal("1.50")'),
        (("admin",), '("admin",)'),
        (("a", "b"), '("a", "b")'),
        ([1, 2], "[1, 2]"),
        ({"a": 1}, '{"a": 1}'),
        (frozenset({"b", "a"}), 'frozenset({"a", "b"})'),
        (frozenset(), "frozenset()"),
    ],
)
def test_python_literals(value: object, source: str) -> None:
    assert py(value) == source
    assert eval(source, {"Decimal": Decimal}) == value  # noqa: S307 - our own literal


def test_a_value_without_a_literal_is_a_bug() -> None:
    with pytest.raises(TypeError):
        py(object())


@pytest.mark.parametrize(
    ("name", "attribute"),
    [("title", "title"), ("metadata", "metadata_"), ("class", "class_"), ("json", "json_")],
)
def test_field_names_that_would_shadow_something_are_renamed(name: str, attribute: str) -> None:
    assert identifier(name) == attribute


def test_articles() -> None:
    assert with_article("post") == "a post"
    assert with_article("author") == "an author"


def string_field(**constraints: object) -> EntityField:
    column = Column("code", "string", nullable=False, **constraints)  # type: ignore[arg-type]
    return EntityField("code", column, writable=True, required=True)


@pytest.mark.parametrize(
    "pattern",
    [r"^[a-z0-9-]+$", r"^[0-9]{13}$", r"^(ab|cd)\d{2,3}x?$", r"^[A-Z]{2}-\d+$", r"^\w+@\w+$"],
)
def test_body_values_match_their_pattern(pattern: str) -> None:
    value = body_value(string_field(pattern=pattern, max_length=40))
    assert isinstance(value, str)
    assert re.search(pattern, value)


def test_a_valid_example_is_preferred() -> None:
    field = EntityField(
        "code",
        Column("code", "string", nullable=False, pattern=r"^[a-z]+$"),
        writable=True,
        required=True,
        example="python",
    )
    assert body_value(field) == "python"


def test_body_values_respect_lengths() -> None:
    value = body_value(string_field(min_length=30, max_length=32))
    assert isinstance(value, str)
    assert 30 <= len(value) <= 32


def test_row_values_increase_with_n() -> None:
    for kind in ("string", "integer", "decimal", "date", "datetime", "email", "url"):
        column = Column("x", kind, nullable=False, precision=10, scale=2)  # type: ignore[arg-type]
        field = EntityField("x", column, writable=True, required=True)
        values = [row_value(field, n) for n in range(4)]
        assert values == sorted(values), kind  # type: ignore[type-var]
        assert len(set(map(str, values))) == 4, kind


def test_server_defaults() -> None:
    def default(kind: str, value: object) -> str | None:
        column = Column("x", kind, nullable=False, default=value)  # type: ignore[arg-type]
        return server_default(column)

    assert default("enum", "it's") == "sa.text(\"'it''s'\")"
    assert default("boolean", True) == "sa.true()"
    assert default("integer", 0) == 'sa.text("0")'
    assert default("json", "{}") is None


def test_the_public_api_is_sorted_and_complete() -> None:
    exported = list(generate_package.__all__)
    assert exported == sorted(exported) == ["generate", "render", "write_project"]
    for name in exported:
        assert callable(getattr(generate_package, name))


def test_the_formatter_is_the_one_pinned_in_pyproject() -> None:
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert f'"ruff=={RUFF_VERSION}"' in pyproject


def test_rendered_code_that_does_not_parse_is_our_bug() -> None:
    with pytest.raises(RuntimeError, match="ruff format failed"):
        format_python({PurePosixPath("broken.py"): "def broken(:\n"}, config="")
