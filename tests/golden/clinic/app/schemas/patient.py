"""What clients may send about patients: bodies and list parameters."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    EMAIL_FORMAT,
    EMAIL_PATTERN,
    NotNull,
    Storable,
)

FullNameType = Annotated[str, Field(max_length=160), Storable]
EmailType = Annotated[
    str, Field(max_length=320, pattern=EMAIL_PATTERN, json_schema_extra=EMAIL_FORMAT), Storable
]
NotesType = Annotated[str, Field(max_length=4000), Storable]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["full_name", "-full_name", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "FULL_NAME_ASC",
                "FULL_NAME_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class PatientCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a patient."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    full_name: FullNameType
    date_: Annotated[date | None, Field(alias="date")] = None
    email: EmailType | None = None
    notes: NotesType | None = None


class PatientUpdate(BaseModel):
    """The body to change some fields of a patient (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    full_name: Annotated[FullNameType | None, NotNull] = None
    date_: Annotated[date | None, Field(alias="date")] = None
    email: EmailType | None = None
    notes: NotesType | None = None


class PatientQuery(PageParams):
    """Paging, sort and filters of the patient list."""

    sort: SortKey = "-created_at"
    full_name: Annotated[
        FullNameType | None, Field(description="Only rows whose full_name equals this.")
    ] = None
