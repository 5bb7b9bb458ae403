"""What clients may send about products: bodies and list parameters."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from app.core.pagination import PageParams
from app.schemas.search import SearchText
from app.schemas.types import (
    NotNull,
    Storable,
    Text,
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
    Literal[
        "sku", "-sku", "name", "-name", "price", "-price", "created_at", "-created_at", "relevance"
    ],
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
                "RELEVANCE_ASC",
            ]
        },
    ),
]


class ProductCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a product."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"x-rules": ["sale_price < price"]})

    sku: SkuType
    name: NameType
    description: Text | None = None
    price: PriceType
    sale_price: SalePriceType | None = None
    stock: StockType = 0
    active: bool = True


class ProductUpdate(BaseModel):
    """The body to change some fields of a product (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"x-rules": ["sale_price < price"]})

    sku: Annotated[SkuType | None, NotNull] = None
    name: Annotated[NameType | None, NotNull] = None
    description: Text | None = None
    price: Annotated[PriceType | None, NotNull] = None
    sale_price: SalePriceType | None = None
    stock: Annotated[StockType | None, NotNull] = None
    active: Annotated[bool | None, NotNull] = None


class ProductQuery(PageParams):
    """Paging, sort, search and filters of the product list."""

    q: SearchText = None
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

    @field_validator("sort")
    @classmethod
    def _relevance_needs_q(cls, sort: str, info: ValidationInfo) -> str:
        if sort == "relevance" and info.data.get("q") is None:
            raise ValueError("sort=relevance ranks the matches of a search: give q too")
        return sort

    @model_validator(mode="after")
    def _best_matches_first(self) -> Self:
        """A search without a sort lists its best matches first."""
        if self.q is not None and "sort" not in self.model_fields_set:
            self.sort = "relevance"
        return self
