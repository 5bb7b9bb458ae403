"""What clients may send about products: bodies and list parameters."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

SkuType = Annotated[str, Field(max_length=255, pattern=r"^[A-Z0-9-]{4,24}$"), Storable]
NameType = Annotated[str, Field(max_length=200), Storable]
PriceType = Annotated[
    Decimal,
    Field(
        ge=Decimal("0"),
        le=Decimal("99999999.99"),
        max_digits=10,
        decimal_places=2,
        json_schema_extra={"multipleOf": 0.01},
    ),
]
SalePriceType = Annotated[
    Decimal,
    Field(
        ge=Decimal("0"),
        le=Decimal("99999999.99"),
        max_digits=10,
        decimal_places=2,
        json_schema_extra={"multipleOf": 0.01},
    ),
]
StockType = Annotated[int, Field(ge=0, le=2147483647)]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["sku", "-sku", "name", "-name", "price", "-price", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "SKU_ASC",
                "SKU_DESC",
                "NAME_ASC",
                "NAME_DESC",
                "PRICE_ASC",
                "PRICE_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class ProductCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a product."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"x-rules": ["sale_price < price"]})

    sku: SkuType
    name: NameType
    price: PriceType
    sale_price: SalePriceType | None = None
    stock: StockType = 0
    active: bool = True


class ProductUpdate(BaseModel):
    """The body to change some fields of a product (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"x-rules": ["sale_price < price"]})

    sku: Annotated[SkuType | None, NotNull] = None
    name: Annotated[NameType | None, NotNull] = None
    price: Annotated[PriceType | None, NotNull] = None
    sale_price: SalePriceType | None = None
    stock: Annotated[StockType | None, NotNull] = None
    active: Annotated[bool | None, NotNull] = None


class ProductQuery(PageParams):
    """Paging, sort and filters of the product list."""

    sort: SortKey = "-created_at"
    price: Annotated[PriceType | None, Field(description="Only rows whose price equals this.")] = (
        None
    )
    price_min: Annotated[
        PriceType | None, Field(description="Only rows whose price is at least this.")
    ] = None
    price_max: Annotated[
        PriceType | None, Field(description="Only rows whose price is at most this.")
    ] = None
    active: Annotated[bool | None, Field(description="Only rows whose active equals this.")] = None
