"""Helpers the entity services share."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import AppError, Forbidden, NotFoundError, PreconditionFailed, ValidationFailed
from app.core.responses import etag
from app.repositories.base import Row
from app.schemas.auth import AuthUser

Visibility = Callable[[AsyncConnection, AuthUser | None, uuid.UUID], Awaitable[bool]]


def missing(visible: bool, not_found: str) -> AppError:
    """The error for a write that matched no row.

    The write's WHERE clause holds the ownership rule, so no row means either "no such
    row" or "not yours": 403 when the caller can at least see the row, 404 otherwise.
    """
    return Forbidden() if visible else NotFoundError(not_found)


async def check_references(
    db: AsyncConnection,
    user: AuthUser | None,
    values: Mapping[str, Any],
    references: Mapping[str, tuple[str, Visibility]],
) -> None:
    """422 naming each foreign key in ``values`` whose row the caller cannot see."""
    details = []
    for field, (label, is_visible) in references.items():
        target = values.get(field)
        if target is not None and not await is_visible(db, user, target):
            details.append({"field": field, "message": f"No {label} with this id."})
    if details:
        raise ValidationFailed(details=details)


def checked_version(if_match: str, current: Row) -> datetime:
    """The ``updated_at`` of ``current`` if If-Match names its ETag; 412 otherwise.

    Comparison is strong (RFC 9110): a weak ``W/"..."`` tag never matches.
    """
    if etag(current) not in {tag.strip() for tag in if_match.split(",")}:
        raise PreconditionFailed
    seen: datetime = current["updated_at"]
    return seen
