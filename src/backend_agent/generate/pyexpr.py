"""Python source for values and SQLAlchemy/Pydantic type expressions.

Everything here is pure: a blueprint value in, the text of a Python expression out.
"""

from __future__ import annotations

import json
import keyword
from collections.abc import Mapping
from decimal import Decimal

from backend_agent.design.blueprint import Column

__all__ = [
    "BUILTIN_TYPES",
    "RESERVED",
    "camel",
    "column_ref",
    "docstring",
    "identifier",
    "migration_type",
    "model_attribute",
    "model_type",
    "py",
    "python_type",
    "regex",
    "server_default",
    "sql_literal",
    "with_article",
]

# The builtin types (every lowercase builtin class), by name. Annotations of generated
# classes use some (bool, int, str); none of them may be an attribute of such a class.
BUILTIN_TYPES = frozenset(
    {
        *("bool", "bytearray", "bytes", "classmethod", "complex", "dict", "enumerate"),
        *("filter", "float", "frozenset", "int", "list", "map", "memoryview", "object"),
        *("property", "range", "reversed", "set", "slice", "staticmethod", "str", "super"),
        *("tuple", "type", "zip"),
    }
)

# Names a generated module imports or a base class defines: an API field with one of
# these names gets a trailing underscore as its Python attribute (the column and the
# JSON key keep the name).
RESERVED = frozenset(
    {
        "Any",
        "Annotated",
        "Base",
        "Decimal",
        "Literal",
        "Mapped",
        "date",
        "datetime",
        "mapped_column",
        "metadata",
        "postgresql",
        "registry",
        "sa",
        "uuid",
        # pydantic.BaseModel methods and attributes
        "construct",
        "copy",
        "dict",
        "fields",
        "json",
        "model_config",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "validate",
        # Builtin types: an annotation in a model or schema class resolves its names in
        # the class body first, where an attribute ``bool`` would stand for the field.
        *BUILTIN_TYPES,
    }
)


def py(value: object) -> str:
    """The Python literal for ``value`` (strings in double quotes, like ruff writes them)."""
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return f"Decimal({py(str(value))})"
    if isinstance(value, frozenset):
        return (
            f"frozenset({{{', '.join(py(v) for v in sorted(value))}}})" if value else "frozenset()"
        )
    if isinstance(value, tuple):
        items = [py(v) for v in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(value, list):
        return f"[{', '.join(py(v) for v in value)}]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{py(k)}: {py(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Python literal for {type(value).__name__}")


def docstring(text: str) -> str:
    """Free text made safe inside a triple-quoted docstring."""
    text = " ".join(text.split()).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return text + " " if text.endswith('"') else text


def regex(pattern: str) -> str:
    """A raw-string literal for a regular expression when one can hold it."""
    if '"' not in pattern and "\n" not in pattern and not pattern.endswith("\\"):
        return f'r"{pattern}"'
    return py(pattern)


def model_attribute(name: str) -> str:
    """A Pydantic model attribute name for an API field (aliased when it differs)."""
    if name.startswith("model_"):
        # Pydantic owns the model_ namespace (model_fields, model_dump, ...): a field
        # there would override a BaseModel attribute, or warn, even with a suffix.
        return f"field_{name}"
    return identifier(name)


def identifier(name: str) -> str:
    """A Python attribute name for an API field or column name."""
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in RESERVED:
        return f"{name}_"
    return name


# Attributes of SQLAlchemy's ColumnCollection that a column name must not shadow.
_COLLECTION_ATTRS = frozenset(
    {
        "as_readonly",
        "clear",
        "compare",
        "contains_column",
        "corresponding_column",
        "get",
        "items",
        "keys",
        "update",
        "values",
    }
)


def column_ref(table: str, name: str) -> str:
    """``posts.c.title``, or ``posts.c["keys"]`` when attribute access would not work."""
    if name.isidentifier() and not keyword.iskeyword(name) and name not in _COLLECTION_ATTRS:
        return f"{table}.c.{name}"
    return f"{table}.c[{py(name)}]"


def with_article(noun: str) -> str:
    """``a post``, ``an author``."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def camel(name: str) -> str:
    """``published_at`` -> ``PublishedAt``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _string_length(column: Column) -> int:
    if column.max_length:
        return column.max_length
    return max((len(v) for v in column.enum_values), default=50)


def migration_type(column: Column) -> str:
    """The portable SQLAlchemy type of a column, as written in a migration."""
    kind = column.type
    if kind == "uuid":
        return "sa.Uuid()"
    if kind in ("string", "email", "url", "enum"):
        return f"sa.String(length={_string_length(column)})"
    if kind == "text":
        return "sa.Text()"
    if kind == "integer":
        return "sa.Integer()"
    if kind == "decimal":
        return f"sa.Numeric(precision={column.precision}, scale={column.scale})"
    if kind == "boolean":
        return "sa.Boolean()"
    if kind == "date":
        return "sa.Date()"
    if kind == "datetime":
        return "sa.DateTime(timezone=True)"
    return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'


def model_type(column: Column) -> str:
    """The SQLAlchemy type of a column in a model (UTC-aware datetimes, SQL NULL for JSON)."""
    if column.type == "datetime":
        return "UTCDateTime()"
    if column.type == "json":
        return (
            "sa.JSON(none_as_null=True)"
            '.with_variant(postgresql.JSONB(none_as_null=True), "postgresql")'
        )
    return migration_type(column)


_PYTHON_TYPES = {
    "uuid": "uuid.UUID",
    "string": "str",
    "text": "str",
    "email": "str",
    "url": "str",
    "enum": "str",
    "integer": "int",
    "decimal": "Decimal",
    "boolean": "bool",
    "date": "date",
    "datetime": "datetime",
    "json": "Any",
}


def python_type(column: Column) -> str:
    """The Python type of a column's values (without ``| None``)."""
    return _PYTHON_TYPES[column.type]


def sql_literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def server_default(column: Column) -> str | None:
    """The ``server_default=`` expression of a column, if it has one."""
    if column.server_now:
        return "sa.func.now()"
    value = column.default
    if value is None or column.type == "json":
        return None
    if isinstance(value, bool):
        return "sa.true()" if value else "sa.false()"
    if isinstance(value, int | float) or column.type in ("integer", "decimal"):
        return f"sa.text({py(str(value))})"
    return f"sa.text({py(sql_literal(str(value)))})"
