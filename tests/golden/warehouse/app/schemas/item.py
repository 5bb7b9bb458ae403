"""What clients may send about items: bodies and list parameters."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

SkuType = Annotated[str, Field(max_length=255, pattern=r"^[A-Z0-9-]{4,32}$"), Storable]
NameType = Annotated[str, Field(max_length=200), Storable]
UnitType = Literal["piece", "kg", "litre", "metre"]
WeightType = Annotated[
    Decimal,
    Field(
        ge=Decimal("0"),
        le=Decimal("9999999.999"),
        max_digits=10,
        decimal_places=3,
        json_schema_extra={"multipleOf": 0.001},
    ),
]
BarcodeType = Annotated[str, Field(max_length=255, pattern=r"^[0-9]{8,14}$"), Storable]
ClassType = Literal["a", "b", "c"]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["sku", "-sku", "name", "-name", "weight", "-weight", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "SKU_ASC",
                "SKU_DESC",
                "NAME_ASC",
                "NAME_DESC",
                "WEIGHT_ASC",
                "WEIGHT_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class ItemCreate(BaseModel):
    """The body to create (POST) or replace (PUT) an item."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sku: SkuType
    name: NameType
    unit: UnitType = "piece"
    weight: WeightType | None = None
    barcode: BarcodeType | None = None
    class_: Annotated[ClassType, Field(alias="class")] = "c"
    category_id: uuid.UUID | None = None


class ItemUpdate(BaseModel):
    """The body to change some fields of an item (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sku: Annotated[SkuType | None, NotNull] = None
    name: Annotated[NameType | None, NotNull] = None
    unit: Annotated[UnitType | None, NotNull] = None
    weight: WeightType | None = None
    barcode: BarcodeType | None = None
    class_: Annotated[Annotated[ClassType | None, NotNull], Field(alias="class")] = None
    category_id: uuid.UUID | None = None


class ItemQuery(PageParams):
    """Paging, sort and filters of the item list."""

    sort: SortKey = "-created_at"
    sku: Annotated[
        Annotated[str, Field(max_length=255), Storable] | None,
        Field(description="Only rows whose sku equals this."),
    ] = None
    unit: Annotated[UnitType | None, Field(description="Only rows whose unit equals this.")] = None
    class_: Annotated[
        ClassType | None, Field(alias="class", description="Only rows whose class equals this.")
    ] = None
    category_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose category_id equals this.")
    ] = None
