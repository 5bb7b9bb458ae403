"""What clients may send about stock levels: bodies and list parameters."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
)

QuantityType = Annotated[
    Decimal,
    Field(
        ge=Decimal("0"),
        le=Decimal("99999999999.999"),
        max_digits=14,
        decimal_places=3,
        json_schema_extra={"multipleOf": 0.001},
    ),
]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["quantity", "-quantity", "counted_on", "-counted_on", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "QUANTITY_ASC",
                "QUANTITY_DESC",
                "COUNTED_ON_ASC",
                "COUNTED_ON_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class StockCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a stock."""

    model_config = ConfigDict(extra="forbid")

    quantity: QuantityType
    counted_on: date | None = None
    item_id: uuid.UUID
    location_id: uuid.UUID


class StockUpdate(BaseModel):
    """The body to change some fields of a stock (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    quantity: Annotated[QuantityType | None, NotNull] = None
    counted_on: date | None = None
    item_id: Annotated[uuid.UUID | None, NotNull] = None
    location_id: Annotated[uuid.UUID | None, NotNull] = None


class StockQuery(PageParams):
    """Paging, sort and filters of the stock list."""

    sort: SortKey = "-created_at"
    counted_on: Annotated[
        date | None, Field(description="Only rows whose counted_on equals this.")
    ] = None
    counted_on_min: Annotated[
        date | None, Field(description="Only rows whose counted_on is at least this.")
    ] = None
    counted_on_max: Annotated[
        date | None, Field(description="Only rows whose counted_on is at most this.")
    ] = None
    item_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose item_id equals this.")
    ] = None
    location_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose location_id equals this.")
    ] = None
