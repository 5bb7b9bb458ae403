"""What clients may send about accounts: bodies and list parameters."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

NameType = Annotated[str, Field(max_length=120), Storable]
TierType = Literal["free", "pro", "enterprise"]
DomainType = Annotated[str, Field(max_length=255, pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$"), Storable]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["name", "-name", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": ["NAME_ASC", "NAME_DESC", "CREATED_AT_ASC", "CREATED_AT_DESC"]
        },
    ),
]


class AccountCreate(BaseModel):
    """The body to create (POST) or replace (PUT) an account."""

    model_config = ConfigDict(extra="forbid")

    name: NameType
    tier: TierType = "free"
    domain: DomainType | None = None


class AccountUpdate(BaseModel):
    """The body to change some fields of an account (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[NameType | None, NotNull] = None
    tier: Annotated[TierType | None, NotNull] = None
    domain: DomainType | None = None


class AccountQuery(PageParams):
    """Paging, sort and filters of the account list."""

    sort: SortKey = "-created_at"
    tier: Annotated[TierType | None, Field(description="Only rows whose tier equals this.")] = None
