"""Rules of agents: who may do what, and what is theirs alone.

Agents are read, listed and written as every entity's rows are
(app/services/base.py); SERVICE binds that to what is theirs: rules, repository, cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.idempotency import Created, IdempotentRequest
from app.core.permissions import Rule
from app.domain import agent as domain_hooks
from app.repositories import agent as repo
from app.repositories.base import Row
from app.schemas.agent import AgentCreate, AgentQuery, AgentUpdate
from app.schemas.auth import AuthUser
from app.services.base import EntityService, Listing

RULES = {
    "list": Rule("authenticated"),
    "read": Rule("authenticated"),
    "create": Rule("roles", frozenset({"lead"})),
    "update": Rule("roles", frozenset({"lead"})),
    "delete": Rule("roles", frozenset({"lead"})),
}
NOT_FOUND = "Agent not found."
ENTITY = "agents"  # what the audit log calls these rows


SERVICE = EntityService(
    entity=ENTITY,
    rules=RULES,
    not_found=NOT_FOUND,
    location=lambda row: f"/api/v1/agents/{row['id']}",
    get_row=repo.get_agent,
    row_exists=repo.agent_exists,
    list_rows=repo.list_agents,
    insert_row=repo.insert_agent,
    update_row=repo.update_agent,
    delete_row=repo.delete_agent,
    hooks=domain_hooks,
    stale_on_delete=("labels",),
)


# Whether a caller may see an agent: as itself, as a parent or as a reference.
is_visible = SERVICE.is_visible


def list_agents(
    db: AsyncConnection, user: AuthUser | None, query: AgentQuery
) -> Awaitable[Listing]:
    """A page of the agents the caller may list, and their total."""
    return SERVICE.page(db, user, query)


def get_agent(db: AsyncConnection, user: AuthUser | None, agent_id: uuid.UUID) -> Awaitable[Row]:
    """One agent; 404 when it does not exist or the caller may not see it."""
    return SERVICE.get(db, user, agent_id)


def create_agent(
    db: AsyncConnection,
    user: AuthUser | None,
    data: AgentCreate,
    idempotent: IdempotentRequest | None = None,
) -> Awaitable[Created]:
    """Create an agent, or answer a retry with the first response."""
    return SERVICE.create(db, user, data.model_dump(), idempotent)


def replace_agent(
    db: AsyncConnection,
    user: AuthUser | None,
    agent_id: uuid.UUID,
    data: AgentCreate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Replace every writable field of an agent (of the version If-Match names, if any)."""
    return SERVICE.update(db, user, agent_id, data.model_dump(), if_match, "replace")


def update_agent(
    db: AsyncConnection,
    user: AuthUser | None,
    agent_id: uuid.UUID,
    data: AgentUpdate,
    if_match: str | None = None,
) -> Awaitable[Row]:
    """Change the fields the client sent (of the version If-Match names, if any)."""
    return SERVICE.update(
        db, user, agent_id, data.model_dump(exclude_unset=True), if_match, "update"
    )


def delete_agent(
    db: AsyncConnection, user: AuthUser | None, agent_id: uuid.UUID, if_match: str | None = None
) -> Awaitable[None]:
    """Delete an agent."""
    return SERVICE.delete(db, user, agent_id, if_match)
