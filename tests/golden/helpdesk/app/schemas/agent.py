"""What clients may send about agents: bodies and list parameters."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    EMAIL_FORMAT,
    EMAIL_PATTERN,
    NotNull,
    Storable,
)

HandleType = Annotated[str, Field(max_length=255, pattern=r"^[a-z][a-z0-9_]{2,30}$"), Storable]
EmailType = Annotated[
    str, Field(max_length=320, pattern=EMAIL_PATTERN, json_schema_extra=EMAIL_FORMAT), Storable
]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["handle", "-handle", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": ["HANDLE_ASC", "HANDLE_DESC", "CREATED_AT_ASC", "CREATED_AT_DESC"]
        },
    ),
]


class AgentCreate(BaseModel):
    """The body to create (POST) or replace (PUT) an agent."""

    model_config = ConfigDict(extra="forbid")

    handle: HandleType
    email: EmailType
    on_call: bool = False


class AgentUpdate(BaseModel):
    """The body to change some fields of an agent (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    handle: Annotated[HandleType | None, NotNull] = None
    email: Annotated[EmailType | None, NotNull] = None
    on_call: Annotated[bool | None, NotNull] = None


class AgentQuery(PageParams):
    """Paging, sort and filters of the agent list."""

    sort: SortKey = "-created_at"
    on_call: Annotated[bool | None, Field(description="Only rows whose on_call equals this.")] = (
        None
    )
