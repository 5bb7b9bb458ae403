"""What clients may send about tickets: bodies and list parameters."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
    UTCDateTime,
)

SubjectType = Annotated[str, Field(min_length=3, max_length=200), Storable]
BodyType = Annotated[str, Field(max_length=20000), Storable]
PriorityType = Literal["low", "normal", "high", "urgent"]
StateType = Literal["open", "pending", "solved", "closed"]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["priority", "-priority", "due_at", "-due_at", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "PRIORITY_ASC",
                "PRIORITY_DESC",
                "DUE_AT_ASC",
                "DUE_AT_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class TicketCreate(BaseModel):
    """The body to create (POST) or replace (PUT) a ticket."""

    model_config = ConfigDict(extra="forbid")

    subject: SubjectType
    body: BodyType
    priority: PriorityType = "normal"
    state: StateType = "open"
    due_at: UTCDateTime | None = None
    account_id: uuid.UUID
    reporter_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None


class TicketUpdate(BaseModel):
    """The body to change some fields of a ticket (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    subject: Annotated[SubjectType | None, NotNull] = None
    body: Annotated[BodyType | None, NotNull] = None
    priority: Annotated[PriorityType | None, NotNull] = None
    state: Annotated[StateType | None, NotNull] = None
    due_at: UTCDateTime | None = None
    account_id: Annotated[uuid.UUID | None, NotNull] = None
    reporter_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None


class TicketQuery(PageParams):
    """Paging, sort and filters of the ticket list."""

    sort: SortKey = "-created_at"
    priority: Annotated[
        PriorityType | None, Field(description="Only rows whose priority equals this.")
    ] = None
    state: Annotated[StateType | None, Field(description="Only rows whose state equals this.")] = (
        None
    )
    account_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose account_id equals this.")
    ] = None
    reporter_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose reporter_id equals this.")
    ] = None
    assignee_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose assignee_id equals this.")
    ] = None
