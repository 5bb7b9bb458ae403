"""What clients may send about appointments: bodies and list parameters."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import PageParams
from app.schemas.types import (
    NotNull,
    Storable,
)

TypeType = Literal["consultation", "follow_up", "surgery", "telehealth"]
StatusType = Literal["booked", "attended", "cancelled", "no_show"]
ReasonType = Annotated[str, Field(max_length=500), Storable]
# FastAPI writes the sort parameter's schema from this; the names are the designed
# document's, for generated clients (openapi-python-client, openapi-generator).
SortKey = Annotated[
    Literal["from", "-from", "to", "-to", "created_at", "-created_at"],
    Field(
        description="A sort field; prefix with '-' for descending order.",
        json_schema_extra={
            "x-enum-varnames": [
                "FROM_ASC",
                "FROM_DESC",
                "TO_ASC",
                "TO_DESC",
                "CREATED_AT_ASC",
                "CREATED_AT_DESC",
            ]
        },
    ),
]


class AppointmentCreate(BaseModel):
    """The body to create (POST) or replace (PUT) an appointment."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: Annotated[date, Field(alias="from")]
    to: date
    type_: Annotated[TypeType, Field(alias="type")] = "consultation"
    status: StatusType = "booked"
    reason: ReasonType | None = None
    patient_id: uuid.UUID
    doctor_id: uuid.UUID


class AppointmentUpdate(BaseModel):
    """The body to change some fields of an appointment (PATCH); omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: Annotated[Annotated[date | None, NotNull], Field(alias="from")] = None
    to: Annotated[date | None, NotNull] = None
    type_: Annotated[Annotated[TypeType | None, NotNull], Field(alias="type")] = None
    status: Annotated[StatusType | None, NotNull] = None
    reason: ReasonType | None = None
    patient_id: Annotated[uuid.UUID | None, NotNull] = None
    doctor_id: Annotated[uuid.UUID | None, NotNull] = None


class AppointmentQuery(PageParams):
    """Paging, sort and filters of the appointment list."""

    sort: SortKey = "-created_at"
    from_: Annotated[
        date | None, Field(alias="from", description="Only rows whose from equals this.")
    ] = None
    from_min: Annotated[
        date | None, Field(description="Only rows whose from is at least this.")
    ] = None
    from_max: Annotated[date | None, Field(description="Only rows whose from is at most this.")] = (
        None
    )
    to: Annotated[date | None, Field(description="Only rows whose to equals this.")] = None
    to_min: Annotated[date | None, Field(description="Only rows whose to is at least this.")] = None
    to_max: Annotated[date | None, Field(description="Only rows whose to is at most this.")] = None
    type_: Annotated[
        TypeType | None, Field(alias="type", description="Only rows whose type equals this.")
    ] = None
    status: Annotated[
        StatusType | None, Field(description="Only rows whose status equals this.")
    ] = None
    patient_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose patient_id equals this.")
    ] = None
    doctor_id: Annotated[
        uuid.UUID | None, Field(description="Only rows whose doctor_id equals this.")
    ] = None
