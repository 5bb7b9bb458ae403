"""What clients may send about labels: bodies and list parameters."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

NameType = Annotated[str, Field(max_length=255, pattern=r"^[a-z0-9-]{1,30}$"), Storable]
ColourType = Annotated[str, Field(max_length=255, pattern=r"^#[0-9a-f]{6}$"), Storable]
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


class LabelCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a label."""

    model_config = ConfigDict(extra="forbid")

    name: NameType
    colour: ColourType = "#888888"


class LabelUpdate(BaseModel):
    """The body to change some fields of a label (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[NameType | None, NotNull] = None
    colour: Annotated[ColourType | None, NotNull] = None


class LabelQuery(PageParams):
    """Paging, sort and filters of the label list."""

    sort: SortKey = "-created_at"
