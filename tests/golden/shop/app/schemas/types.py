"""Field types shared by the request schemas.

Every value a client sends must be one the databases can store: text without NUL
characters or lone surrogates, datetimes within the range both databases and Python
hold, numbers within their column's range. Anything else is a 422 naming the field,
never a database error (500) after the request was accepted.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    JsonValue,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema


def storable_text(value: str) -> str:
    """Refuse text no database column stores.

    PostgreSQL refuses the NUL character in text (and in JSON strings); a lone surrogate
    is not Unicode at all and cannot be encoded for either database.
    """
    if "\x00" in value:
        raise ValueError("may not contain the NUL character (U+0000)")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("is not valid Unicode text (it holds a lone surrogate)") from None
    return value


# PostgreSQL keeps a JSON number exactly and writes 3e+44 back as a 45-digit integer,
# which no JSON encoder here writes: numbers in JSON fields stay within 64 bits.
JSON_NUMBER_LIMIT = 2**63


def storable_json(value: JsonValue) -> JsonValue:
    """Refuse JSON whose strings (keys included) hold what :func:`storable_text` refuses,
    or whose numbers pass 64 bits."""
    pending: list[JsonValue] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            storable_text(item)
        elif isinstance(item, int | float) and abs(item) >= JSON_NUMBER_LIMIT:
            raise ValueError("holds a number beyond 64 bits (at most 2**63 - 1 either way)")
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            for key, nested in item.items():
                storable_text(key)
                pending.append(nested)
    return value


def to_utc(value: datetime) -> datetime:
    """An aware datetime in UTC: every stored timestamp, and every comparison in a
    filter, is in UTC.

    A value whose UTC time falls outside years 1 to 9999 (``9999-12-31T23:59:59-01:00``)
    has no datetime to be stored as: it is refused.
    """
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range: in UTC it must fall within years 1 to 9999") from None


def reject_null(value: object) -> object:
    """A PATCH may omit a non-nullable field, but not set it to null."""
    if value is None:
        raise ValueError("may not be null")
    return value


def normal_email(value: object) -> object:
    """An email address in one canonical form: NFKC-normalised and case-folded.

    Look-alikes (fullwidth letters, ligatures, upper case) become the one address they
    look like, so they cannot register as separate accounts. Invisible and control
    characters (zero-width spaces and joiners, direction marks) have no canonical form
    and are refused.
    """
    if not isinstance(value, str):
        return value  # the str type reports it
    if any(unicodedata.category(char)[0] in "CZ" and char != " " for char in value):
        raise ValueError("may not contain invisible or control characters")
    return unicodedata.normalize("NFKC", value).casefold()


# Text is a str that refuses what no database stores. Constraints go before ``Storable``
# (``Annotated[str, Field(...), Storable]``): after a validator, Pydantic checks a
# pattern but leaves it out of the JSON Schema, and clients then cannot know it.
Storable = AfterValidator(storable_text)
Text = Annotated[str, Storable]
# Documented as what it is, any JSON value (Pydantic would name a JsonValue schema).
StoredJson = Annotated[
    JsonValue, AfterValidator(storable_json), WithJsonSchema({"description": "Any JSON value."})
]
# A datetime without an offset is refused (422 on its field): taking it as UTC, or as
# the server's time, would store a guess.
UTCDateTime = Annotated[AwareDatetime, AfterValidator(to_utc)]


def documented_as(format_name: str) -> Callable[[dict[str, Any]], None]:
    """``json_schema_extra`` of a field whose loose pattern stands for a format: its JSON
    Schema says the format, as the design does (clients then send real addresses, and
    what the service answers with meets the response schema); validation keeps the
    pattern."""

    def document(schema: dict[str, Any]) -> None:
        schema.pop("pattern", None)
        schema["format"] = format_name

    return document


EMAIL_FORMAT = documented_as("email")
URL_FORMAT = documented_as("uri")
# Deliberately loose: one @, no spaces, a dot in the domain. Deliverability is proven
# by sending mail, not by a regular expression.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Email = Annotated[
    str, Field(max_length=320, pattern=EMAIL_PATTERN, json_schema_extra=EMAIL_FORMAT), Storable
]
# An account's email: compared, stored and looked up in its canonical form.
AccountEmail = Annotated[Email, BeforeValidator(normal_email)]
URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"


class NotNullable:
    """For PATCH bodies: a non-nullable field may be left out (``X | None = None``), but
    not sent as null; its JSON Schema says so, without the null alternative."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(reject_null, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        if "anyOf" not in json_schema:
            return json_schema
        alternatives = [item for item in json_schema["anyOf"] if item != {"type": "null"}]
        if len(alternatives) != 1:
            return {**json_schema, "anyOf": alternatives}
        only: JsonSchemaValue = alternatives[0]
        return {k: v for k, v in json_schema.items() if k != "anyOf"} | only


NotNull = NotNullable()
