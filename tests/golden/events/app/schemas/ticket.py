"""What clients may send about tickets: bodies and list parameters."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
)

ClassType = Literal["standard", "student", "vip"]
PriceType = Annotated[
    Decimal,
    Field(
        ge=Decimal("0"),
        le=Decimal("999999.99"),
        max_digits=8,
        decimal_places=2,
        json_schema_extra={"multipleOf": 0.01},
    ),
]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["price", "-price", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": ["PRICE_ASC", "PRICE_DESC", "CREATED_AT_ASC", "CREATED_AT_DESC"]
        },
    ),
]


class TicketNestedCreate(BaseModel):
    """The body to create a ticket under its showing (the path names the showing)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    code: uuid.UUID
    class_: Annotated[ClassType, Field(alias="class")] = "standard"
    price: PriceType | None = None
    checked_in: bool = False


class TicketCreate(TicketNestedCreate):
    """The body to create (POST) or replace (PUT) a ticket."""

    showing_id: uuid.UUID


class TicketUpdate(BaseModel):
    """The body to change some fields of a ticket (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    code: Annotated[uuid.UUID | None, NotNull] = None
    class_: Annotated[Annotated[ClassType | None, NotNull], Field(alias="class")] = None
    price: PriceType | None = None
    checked_in: Annotated[bool | None, NotNull] = None
    showing_id: Annotated[uuid.UUID | None, NotNull] = None


class TicketNestedQuery(PageParams):
    """Paging, sort and filters of the tickets of one showing."""

    sort: SortKey = "-created_at"
    class_: Annotated[
        ClassType | None, Field(alias="class", description="Only rows whose class equals this.")
    ] = None
    checked_in: Annotated[
        bool | None, Field(description="Only rows whose checked_in equals this.")
    ] = None


class TicketQuery(TicketNestedQuery):
    """Paging, sort and filters of the ticket list."""

    showing_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose showing_id equals this.")
    ] = None
