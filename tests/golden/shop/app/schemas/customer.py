"""What clients may send about customers: bodies and list parameters."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

NameType = Annotated[str, Field(min_length=1, max_length=120), Storable]
PhoneType = Annotated[str, Field(max_length=255, pattern=r"^[+0-9 ]{6,20}$"), Storable]
CreditLimitType = Annotated[
    Decimal,
    Field(
        ge=Decimal("0"),
        le=Decimal("99999999.99"),
        max_digits=10,
        decimal_places=2,
        json_schema_extra={"multipleOf": 0.01},
    ),
]
SupportNoteType = Annotated[str, Field(max_length=2000), Storable]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["name", "-name", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": ["NAME_ASC", "NAME_DESC", "CREATED_AT_ASC", "CREATED_AT_DESC"]
        },
    ),
]


class CustomerCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a customer."""

    model_config = ConfigDict(extra="forbid")

    name: NameType
    phone: PhoneType | None = None
    credit_limit: CreditLimitType | None = None
    support_note: SupportNoteType | None = None


class CustomerUpdate(BaseModel):
    """The body to change some fields of a customer (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[NameType | None, NotNull] = None
    phone: PhoneType | None = None
    credit_limit: CreditLimitType | None = None
    support_note: SupportNoteType | None = None


class CustomerQuery(PageParams):
    """Paging, sort and filters of the customer list."""

    sort: SortKey = "-created_at"
