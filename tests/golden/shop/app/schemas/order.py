"""What clients may send about orders: bodies and list parameters."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams, QueryParams
from app.schemas.types import (
    NotNull,
    Storable,
    UTCDateTime,
)

ReferenceType = Annotated[str, Field(max_length=255, pattern=r"^[A-Z0-9-]{6,20}$"), Storable]
NoteType = Annotated[str, Field(max_length=500), Storable]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["reference", "-reference", "placed_at", "-placed_at", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "REFERENCE_ASC",
                "REFERENCE_DESC",
                "PLACED_AT_ASC",
                "PLACED_AT_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class OrderCreate(BaseModel):
    """The body to create (POST) or replace (PUT) an order."""

    model_config = ConfigDict(extra="forbid")

    reference: ReferenceType
    placed_at: UTCDateTime | None = None
    paid_at: UTCDateTime | None = None
    shipped_on: date | None = None
    note: NoteType | None = None
    customer_id: uuid.UUID


class OrderUpdate(BaseModel):
    """The body to change some fields of an order (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    reference: Annotated[ReferenceType | None, NotNull] = None
    placed_at: UTCDateTime | None = None
    paid_at: UTCDateTime | None = None
    shipped_on: date | None = None
    note: NoteType | None = None
    customer_id: Annotated[uuid.UUID | None, NotNull] = None


class OrderQuery(PageParams):
    """Paging, sort and filters of the order list."""

    sort: SortKey = "-created_at"
    status: Annotated[
        Literal["draft", "placed", "paid", "shipped", "cancelled"] | None,
        Field(description="Only rows whose status equals this."),
    ] = None
    customer_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose customer_id equals this.")
    ] = None


class OrderStatsQuery(QueryParams):
    """Groups and filters of the order stats."""

    group_by: list[Literal["status", "customer", "created_at:month"]] = Field(
        default_factory=list,
        description="A key to group by; repeat it to group by several. None: one row.",
    )
    status: Annotated[
        Literal["draft", "placed", "paid", "shipped", "cancelled"] | None,
        Field(description="Only rows whose status equals this."),
    ] = None
    customer_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose customer_id equals this.")
    ] = None

    def filters(self) -> dict[str, Any]:
        """The filters the client set: every parameter but ``group_by``."""
        return self.model_dump(exclude={"group_by"}, exclude_none=True, by_alias=True)
