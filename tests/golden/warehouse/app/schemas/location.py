"""What clients may send about locations: bodies and list parameters."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

CodeType = Annotated[str, Field(max_length=255, pattern=r"^[A-Z][0-9]{2}-[0-9]{2}$"), Storable]
LimitType = Annotated[
    Decimal,
    Field(
        ge=Decimal("0"),
        le=Decimal("999999999.999"),
        max_digits=12,
        decimal_places=3,
        json_schema_extra={"multipleOf": 0.001},
    ),
]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["code", "-code", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": ["CODE_ASC", "CODE_DESC", "CREATED_AT_ASC", "CREATED_AT_DESC"]
        },
    ),
]


class LocationCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a location."""

    model_config = ConfigDict(extra="forbid")

    code: CodeType
    limit: LimitType | None = None
    active: bool = True


class LocationUpdate(BaseModel):
    """The body to change some fields of a location (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[CodeType | None, NotNull] = None
    limit: LimitType | None = None
    active: Annotated[bool | None, NotNull] = None


class LocationQuery(PageParams):
    """Paging, sort and filters of the location list."""

    sort: SortKey = "-created_at"
    active: Annotated[bool | None, Field(description="Only rows whose active equals this.")] = None
