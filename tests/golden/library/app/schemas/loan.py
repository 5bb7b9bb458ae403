"""What clients may send about loans: bodies and list parameters."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    EMAIL_FORMAT,
    EMAIL_PATTERN,
    NotNull,
    Storable,
    UTCDateTime,
)

ContactEmailType = Annotated[
    str, Field(max_length=320, pattern=EMAIL_PATTERN, json_schema_extra=EMAIL_FORMAT), Storable
]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["due_on", "-due_on", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": ["DUE_ON_ASC", "DUE_ON_DESC", "CREATED_AT_ASC", "CREATED_AT_DESC"]
        },
    ),
]


class LoanCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a loan."""

    model_config = ConfigDict(extra="forbid")

    due_on: date
    returned_at: UTCDateTime | None = None
    reference: uuid.UUID | None = None
    contact_email: ContactEmailType | None = None
    book_id: uuid.UUID


class LoanUpdate(BaseModel):
    """The body to change some fields of a loan (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    due_on: Annotated[date | None, NotNull] = None
    returned_at: UTCDateTime | None = None
    reference: uuid.UUID | None = None
    contact_email: ContactEmailType | None = None
    book_id: Annotated[uuid.UUID | None, NotNull] = None


class LoanQuery(PageParams):
    """Paging, sort and filters of the loan list."""

    sort: SortKey = "-created_at"
    due_on: Annotated[date | None, Field(description="Only rows whose due_on equals this.")] = None
    due_on_min: Annotated[
        date | None, Field(description="Only rows whose due_on is at least this.")
    ] = None
    due_on_max: Annotated[
        date | None, Field(description="Only rows whose due_on is at most this.")
    ] = None
    book_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose book_id equals this.")
    ] = None
