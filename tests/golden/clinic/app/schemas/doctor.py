"""What clients may send about doctors: bodies and list parameters."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

NameType = Annotated[str, Field(min_length=2, max_length=120), Storable]
SpecialtyType = Literal["general", "cardiology", "pediatrics", "dermatology"]
LicenceType = Annotated[str, Field(max_length=255, pattern=r"^[A-Z]{2}-[0-9]{6}$"), Storable]
FeeType = Annotated[
    Decimal,
    Field(
        ge=Decimal("0"),
        le=Decimal("5000"),
        max_digits=8,
        decimal_places=2,
        json_schema_extra={"multipleOf": 0.01},
    ),
]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["name", "-name", "fee", "-fee", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "NAME_ASC",
                "NAME_DESC",
                "FEE_ASC",
                "FEE_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class DoctorCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a doctor."""

    model_config = ConfigDict(extra="forbid")

    name: NameType
    specialty: SpecialtyType = "general"
    licence: LicenceType
    fee: FeeType
    accepting: bool = True


class DoctorUpdate(BaseModel):
    """The body to change some fields of a doctor (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[NameType | None, NotNull] = None
    specialty: Annotated[SpecialtyType | None, NotNull] = None
    licence: Annotated[LicenceType | None, NotNull] = None
    fee: Annotated[FeeType | None, NotNull] = None
    accepting: Annotated[bool | None, NotNull] = None


class DoctorQuery(PageParams):
    """Paging, sort and filters of the doctor list."""

    sort: SortKey = "-created_at"
    specialty: Annotated[
        SpecialtyType | None, Field(description="Only rows whose specialty equals this.")
    ] = None
    accepting: Annotated[
        bool | None, Field(description="Only rows whose accepting equals this.")
    ] = None
