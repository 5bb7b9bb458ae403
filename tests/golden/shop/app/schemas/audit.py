"""What clients may send about the audit log: list parameters."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field

from app.core.pagination import PageParams
from app.schemas.types import Storable

ENTITY = "Only rows of this collection: its name in the paths, such as `posts` in `/api/v1/posts`."


class AuditQuery(PageParams):
    """Paging and filters of the audit log (always newest first)."""

    entity: Annotated[
        Annotated[str, Field(min_length=1, max_length=100), Storable] | None,
        Field(description=ENTITY),
    ] = None
    entity_id: Annotated[uuid.UUID | None, Field(description="Only this row.")] = None
    actor_id: Annotated[uuid.UUID | None, Field(description="Only this user's.")] = None
