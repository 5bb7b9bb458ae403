"""Rules of replies: who may do what, and what is theirs alone.

Replies are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository,
references, parent (tickets).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import reply as domain_hooks
from app.repositories import reply as repo
from app.repositories.base import Row
from app.schemas.auth import AuthUser
from app.schemas.reply import (
    ReplyCreate,
    ReplyNestedCreate,
    ReplyNestedQuery,
    ReplyQuery,
    ReplyUpdate,
)
from app.services import ticket as ticket_service
from app.services.base import Listing, NestedEntityService, Parent, Scope
from app.services.common import Visibility, check_references

RULES = {
    "list": Rule("authenticated"),
    "read": Rule("authenticated"),
    "create": Rule("authenticated"),
    "update": Rule("owner"),
    "delete": Rule("owner_or_roles", frozenset({"lead"})),
}
NOT_FOUND = "Reply not found."
ENTITY = "replies"  # what the audit log calls these rows


async def _check_references(
    db: AsyncConnection, user: AuthUser | None, values: dict[str, Any]
) -> None:
    references: dict[str, tuple[str, Visibility]] = {
        "ticket_id": ("ticket", ticket_service.is_visible),
    }
    await check_references(db, user, values, references)


SERVICE = NestedEntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/replies/{row['id']}",
    get_row=repo.get_reply,
    row_exists=repo.reply_exists,
    list_rows=repo.list_replies,
    insert_row=repo.insert_reply,
    update_row=repo.update_reply,
    delete_row=repo.delete_reply,
    hooks=domain_hooks,
    check=_check_references,
    parent=Parent("ticket_id", ticket_service),
    scope=Scope("ticket_id", ticket_service, owned=True),
)


# Whether a caller may see a reply: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_replies(
    db: AsyncConnection, user: AuthUser | None, query: ReplyQuery
) -> Awaitable[Listing]:
    """A page of the replies the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_reply(db: AsyncConnection, user: AuthUser | None, reply_id: uuid.UUID) -> Awaitable[Row]:
    """One reply; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, reply_id)


def create_reply(
    db: AsyncConnection,
    user: AuthUser,
    data: ReplyCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a reply owned by the caller, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent, owner_id=user.id)


def list_ticket_replies(
    db: AsyncConnection,
    user: AuthUser | None,
    ticket_id: uuid.UUID,
    query: ReplyNestedQuery,
) -> Awaitable[Listing]:
    """The replies of one ticket; 404 if it is not visible."""
    return SERVICE.page_under(db, user, ticket_id, query)


def create_ticket_reply(
    db: AsyncConnection,
    user: AuthUser,
    ticket_id: uuid.UUID,
    data: ReplyNestedCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create a reply under a ticket the caller can see."""
    return SERVICE.create_under(
        db, user, ticket_id, data.model_dump(), idempotent, owner_id=user.id
    )


def replace_reply(
    db: AsyncConnection,
    user: AuthUser | None,
    reply_id: uuid.UUID,
    data: ReplyCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of a reply (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, reply_id, data.model_dump(), if_match, "replace")


def update_reply(
    db: AsyncConnection,
    user: AuthUser | None,
    reply_id: uuid.UUID,
    data: ReplyUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, reply_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_reply(
    db: AsyncConnection, user: AuthUser | None, reply_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete a reply."""
    return SERVICE.delete(db, user, reply_id, if_match)
