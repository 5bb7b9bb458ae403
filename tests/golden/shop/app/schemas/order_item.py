"""What clients may send about order items: bodies and list parameters."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams, QueryParams
from app.schemas.types import (
    NotNull,
)

QuantityType = Annotated[int, Field(ge=1, le=1000)]
UnitPriceType = Annotated[
    Decimal,
    Field(
        ge=Decimal("0"),
        le=Decimal("99999999.99"),
        max_digits=10,
        decimal_places=2,
        json_schema_extra={"multipleOf": 0.01},
    ),
]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={"x-enum-varnames": ["CREATED_AT_ASC", "CREATED_AT_DESC"]},
    ),
]


class OrderItemNestedCreate(BaseModel):
    """The body to create an order item under its order (the path names the order)."""

    model_config = ConfigDict(extra="forbid")

    quantity: QuantityType
    unit_price: UnitPriceType
    product_id: uuid.UUID


class OrderItemCreate(OrderItemNestedCreate):
    """The body to create (POST) or replace (PUT) an order item."""

    order_id: uuid.UUID


class OrderItemUpdate(BaseModel):
    """The body to change some fields of an order item (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    quantity: Annotated[QuantityType | None, NotNull] = None
    unit_price: Annotated[UnitPriceType | None, NotNull] = None
    order_id: Annotated[uuid.UUID | None, NotNull] = None
    product_id: Annotated[uuid.UUID | None, NotNull] = None


class OrderItemNestedQuery(PageParams):
    """Paging, sort and filters of the order items of one order."""

    sort: SortKey = "-created_at"
    product_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose product_id equals this.")
    ] = None


class OrderItemQuery(OrderItemNestedQuery):
    """Paging, sort and filters of the order item list."""

    pass


class OrderItemStatsQuery(QueryParams):
    """Groups and filters of the order item stats."""

    group_by: list[Literal["product", "created_at:month"]] = Field(
        default_factory=list,
        description="A key to group by; repeat it to group by several. None: one row.",
    )
    product_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose product_id equals this.")
    ] = None

    def filters(self) -> dict[str, Any]:
        """The filters the client set: every parameter but ``group_by``."""
        return self.model_dump(exclude={"group_by"}, exclude_none=True, by_alias=True)
