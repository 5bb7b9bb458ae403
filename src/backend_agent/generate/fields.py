"""View models of API fields and list filters: the Pydantic side of an entity."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from backend_agent.design.blueprint import Column, Entity, EntityField, Scalar
from backend_agent.design.metadata import decimal_bounds, decimal_step, integer_bounds
from backend_agent.design.queries import LIST_PARAMETERS, list_filters
from backend_agent.generate.pyexpr import camel, column_ref, model_attribute, py, regex

__all__ = [
    "FieldView",
    "FilterView",
    "TypeAlias",
    "field_views",
    "filter_views",
    "value_expr",
    "value_type",
]

# Types that need no alias: the name already says everything.
_PLAIN = {
    "uuid": "uuid.UUID",
    "boolean": "bool",
    "date": "date",
    "datetime": "UTCDateTime",
}


@dataclass(frozen=True)
class TypeAlias:
    """``Title = Annotated[str, Field(max_length=200)]`` at the top of a schema module."""

    name: str
    expr: str


@dataclass(frozen=True)
class FieldView:
    """One writable field: its line in the create model and in the update model."""

    name: str
    attr: str
    create_line: str
    update_line: str


@dataclass(frozen=True)
class FilterView:
    """One query parameter that filters a list."""

    name: str  # the query parameter
    column: str  # the Core column expression it compares
    op: str  # EQ, GE or LE
    line: str  # its line in the query model
    parent: bool  # it filters on the nested parent's key


def _constraints(column: Column, *, pattern: bool) -> list[str]:
    kind = column.type
    items: list[str] = []
    if kind in ("string", "text", "email", "url"):
        if column.min_length:
            items.append(f"min_length={column.min_length}")
        if column.max_length:
            items.append(f"max_length={column.max_length}")
        if kind == "email":
            items += ["pattern=EMAIL_PATTERN", "json_schema_extra=EMAIL_FORMAT"]
        elif kind == "url":
            items += ["pattern=URL_PATTERN", "json_schema_extra=URL_FORMAT"]
        elif pattern and column.pattern:
            items.append(f"pattern={regex(column.pattern)}")
    elif kind == "integer":
        low, high = integer_bounds(column)
        items += [f"ge={low}", f"le={high}"]
    elif kind == "decimal":
        # Bounds within what the column stores, and its step in the JSON Schema, so that a
        # client (or a gate) reading the served document sends values that fit.
        least, most = decimal_bounds(column)
        items += [f"ge=Decimal({py(str(least))})", f"le=Decimal({py(str(most))})"]
        if column.precision is not None:
            items.append(f"max_digits={column.precision}")
            items.append(f"decimal_places={column.scale}")
        items.append(f"json_schema_extra={{'multipleOf': {float(decimal_step(column))!r}}}")
    return items


def value_type(column: Column, *, pattern: bool = True) -> str:
    """The annotation of one value of ``column`` in a request, without ``| None``."""
    kind = column.type
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind == "enum":
        return f"Literal[{', '.join(py(v) for v in column.enum_values)}]"
    if kind == "json":
        return "StoredJson" if column.nullable else "Annotated[StoredJson, NotNull]"
    constraints = _constraints(column, pattern=pattern)
    if kind in ("integer", "decimal"):
        base = "int" if kind == "integer" else "Decimal"
        return f"Annotated[{base}, Field({', '.join(constraints)})]" if constraints else base
    # Text: a str that refuses what no database stores (NUL, lone surrogates); its
    # constraints go first, or the JSON Schema would lose their pattern.
    return f"Annotated[str, Field({', '.join(constraints)}), Storable]" if constraints else "Text"


def _alias_name(field: EntityField, taken: set[str]) -> str:
    # The suffix keeps a field's alias apart from every name the schema module imports or
    # defines (``Field``, ``Decimal``, ``None``...): none of those ends in ``Type``.
    name = f"{camel(field.name)}Type"
    while name in taken:
        name = f"{name}_"
    return name


def field_views(
    entity: Entity, taken: set[str]
) -> tuple[tuple[TypeAlias, ...], dict[str, str], tuple[FieldView, ...]]:
    """Type aliases, the type of each writable field, and each field's lines."""
    aliases: list[TypeAlias] = []
    types: dict[str, str] = {}
    views: list[FieldView] = []
    for field in entity.writable_fields:
        column = field.column
        expr = value_type(column)
        if column.type not in _PLAIN and expr not in ("int", "Text", "Decimal", "StoredJson"):
            alias = _alias_name(field, taken)
            taken.add(alias)
            aliases.append(TypeAlias(alias, expr))
            expr = alias
        types[field.name] = expr
        views.append(_field_view(field, expr))
    return tuple(aliases), types, tuple(views)


def _default_expr(column: Column) -> str:
    """The Python value of a column's default, of the field's own type."""
    return value_expr(column, column.default)


def value_expr(column: Column, value: Scalar) -> str:
    """A value of ``column`` as a Python expression of the field's own type: the design
    keeps it as JSON text (``"2024-01-31 12:00:00+00:00"``), which the type checker would
    refuse for a datetime, date, decimal or UUID field."""
    if not isinstance(value, str):
        return py(value)
    if column.type == "datetime":
        return f"datetime.fromisoformat({py(datetime.fromisoformat(value).isoformat())})"
    if column.type == "date":
        return f"date.fromisoformat({py(date.fromisoformat(value).isoformat())})"
    if column.type == "decimal":
        return f"Decimal({py(str(Decimal(value)))})"
    if column.type == "uuid":
        return f"uuid.UUID({py(str(uuid.UUID(value)))})"
    return py(value)


# The names ruff's S105 takes for a password's (its own pattern).
_SECRET_NAME = re.compile(r"(^|_)(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)($|_)", re.IGNORECASE)


def _field_view(field: EntityField, expr: str) -> FieldView:
    column = field.column
    attr = model_attribute(field.name)
    optional = f"{expr} | None"
    if field.required:
        create_type, create_default = (optional if column.nullable else expr), None
    elif column.default is not None:
        create_type = optional if column.nullable else expr
        create_default = _default_expr(column)
    else:
        create_type, create_default = optional, "None"
    update_type = optional if column.nullable else f"Annotated[{optional}, NotNull]"
    if attr != field.name:
        create_type = f"Annotated[{create_type}, Field(alias={py(field.name)})]"
        update_type = f"Annotated[{update_type}, Field(alias={py(field.name)})]"
    create_line = f"{attr}: {create_type}"
    if create_default is not None:
        create_line += f" = {create_default}"
        if create_default.startswith('"') and _SECRET_NAME.search(attr):
            # ruff (S105) takes a string assigned to such a name for a password.
            create_line += "  # noqa: S105 - the spec's default, not a secret"
    return FieldView(field.name, attr, create_line, f"{attr}: {update_type} = None")


# Names of the query model a filter's attribute must not take: the list's own
# parameters and PageParams.filters().
_QUERY_ATTRIBUTES = frozenset({*LIST_PARAMETERS, "filters"})


def _query_attribute(param: str) -> str:
    attr = model_attribute(param)
    return f"{attr}_" if attr in _QUERY_ATTRIBUTES else attr


def filter_views(entity: Entity, types: dict[str, str], table: str) -> tuple[FilterView, ...]:
    """The filters of the entity's list: equality, plus ranges on ordered columns, each
    under its designed query parameter (backend_agent.design.queries)."""
    views: list[FilterView] = []
    for item in list_filters(entity):
        name = item.field
        column = entity.field(name).column
        if column.pattern or name not in types:
            kind = value_type(column, pattern=False)
        else:
            kind = types[name]
        attr = _query_attribute(item.param)
        # The description is the parameter's in the served document, as designed.
        alias = f"alias={py(item.param)}, " if attr != item.param else ""
        annotation = f"Annotated[{kind} | None, Field({alias}description={py(item.description)})]"
        views.append(
            FilterView(
                name=item.param,
                column=column_ref(table, name),
                op=item.op,
                line=f"{attr}: {annotation} = None",
                parent=name == entity.nested_column,
            )
        )
    return tuple(views)
