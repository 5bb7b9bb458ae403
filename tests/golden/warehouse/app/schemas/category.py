"""What clients may send about categories: bodies and list parameters."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

NameType = Annotated[str, Field(min_length=1, max_length=80), Storable]
CodeType = Annotated[str, Field(max_length=255, pattern=r"^[A-Z]{3}$"), Storable]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["name", "-name", "code", "-code", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "NAME_ASC",
                "NAME_DESC",
                "CODE_ASC",
                "CODE_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class CategoryCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a category."""

    model_config = ConfigDict(extra="forbid")

    name: NameType
    code: CodeType


class CategoryUpdate(BaseModel):
    """The body to change some fields of a category (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[NameType | None, NotNull] = None
    code: Annotated[CodeType | None, NotNull] = None


class CategoryQuery(PageParams):
    """Paging, sort and filters of the category list."""

    sort: SortKey = "-created_at"
    code: Annotated[
        Annotated[str, Field(max_length=255), Storable] | None,
        Field(description="Only rows whose code equals this."),
    ] = None
