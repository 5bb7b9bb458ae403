"""What clients may send about movements: bodies and list parameters."""

from __future__ import annotations

import uuid
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
DirectionType = Literal["in", "out"]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["quantity", "-quantity", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "QUANTITY_ASC",
                "QUANTITY_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class MovementCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a movement."""

    model_config = ConfigDict(extra="forbid")

    quantity: QuantityType
    direction: DirectionType
    reference: uuid.UUID | None = None
    item_id: uuid.UUID
    location_id: uuid.UUID | None = None


class MovementUpdate(BaseModel):
    """The body to change some fields of a movement (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    quantity: Annotated[QuantityType | None, NotNull] = None
    direction: Annotated[DirectionType | None, NotNull] = None
    reference: uuid.UUID | None = None
    item_id: Annotated[uuid.UUID | None, NotNull] = None
    location_id: uuid.UUID | None = None


class MovementQuery(PageParams):
    """Paging, sort and filters of the movement list."""

    sort: SortKey = "-created_at"
    direction: Annotated[
        DirectionType | None, Field(description="Only rows whose direction equals this.")
    ] = None
    item_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose item_id equals this.")
    ] = None
    location_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose location_id equals this.")
    ] = None
