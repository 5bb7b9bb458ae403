"""What clients may send about the audit log: list parameters."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field

from app.core.pagination import PageParams
from app.schemas.types import Storable


class AuditQuery(PageParams):
    """Paging and filters of the audit log (always newest first)."""

    entity: Annotated[str, Field(min_length=1, max_length=100), Storable] | None = None
    entity_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
