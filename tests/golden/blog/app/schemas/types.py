"""Field types shared by the request schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field


def to_utc(value: datetime) -> datetime:
    """An aware datetime in UTC: every stored timestamp, and every comparison in a
    filter, is in UTC."""
    return value.astimezone(UTC)


def reject_null(value: object) -> object:
    """A PATCH may omit a non-nullable field, but not set it to null."""
    if value is None:
        raise ValueError("may not be null")
    return value


# A datetime without an offset is refused (422 on its field): taking it as UTC, or as
# the server's time, would store a guess.
UTCDateTime = Annotated[AwareDatetime, AfterValidator(to_utc)]
# Deliberately loose: one @, no spaces, a dot in the domain. Deliverability is proven
# by sending mail, not by a regular expression.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Email = Annotated[str, Field(max_length=320, pattern=EMAIL_PATTERN)]
URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"
# For PATCH bodies: a non-nullable field may be left out, but not sent as null.
NotNull = AfterValidator(reject_null)
