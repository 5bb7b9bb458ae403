"""What clients may send about invoices: bodies and list parameters."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

NumberType = Annotated[str, Field(max_length=255, pattern=r"^INV-[0-9]{6}$"), Storable]
AmountType = Annotated[
    Decimal,
    Field(
        ge=Decimal("0"),
        le=Decimal("99999999.99"),
        max_digits=10,
        decimal_places=2,
        json_schema_extra={"multipleOf": 0.01},
    ),
]
TaxRateType = Annotated[
    Decimal,
    Field(
        ge=Decimal("0"),
        le=Decimal("1"),
        max_digits=5,
        decimal_places=4,
        json_schema_extra={"multipleOf": 0.0001},
    ),
]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["amount", "-amount", "issued_on", "-issued_on", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "AMOUNT_ASC",
                "AMOUNT_DESC",
                "ISSUED_ON_ASC",
                "ISSUED_ON_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class InvoiceCreate(BaseModel):
    """The body to create (POST) or replace (PUT) an invoice."""

    model_config = ConfigDict(extra="forbid")

    number: NumberType
    amount: AmountType
    tax_rate: TaxRateType
    issued_on: date
    paid: bool = False
    appointment_id: uuid.UUID


class InvoiceUpdate(BaseModel):
    """The body to change some fields of an invoice (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    number: Annotated[NumberType | None, NotNull] = None
    amount: Annotated[AmountType | None, NotNull] = None
    tax_rate: Annotated[TaxRateType | None, NotNull] = None
    issued_on: Annotated[date | None, NotNull] = None
    paid: Annotated[bool | None, NotNull] = None
    appointment_id: Annotated[uuid.UUID | None, NotNull] = None


class InvoiceQuery(PageParams):
    """Paging, sort and filters of the invoice list."""

    sort: SortKey = "-created_at"
    issued_on: Annotated[
        date | None, Field(description="Only rows whose issued_on equals this.")
    ] = None
    issued_on_min: Annotated[
        date | None, Field(description="Only rows whose issued_on is at least this.")
    ] = None
    issued_on_max: Annotated[
        date | None, Field(description="Only rows whose issued_on is at most this.")
    ] = None
    paid: Annotated[bool | None, Field(description="Only rows whose paid equals this.")] = None
    appointment_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose appointment_id equals this.")
    ] = None
