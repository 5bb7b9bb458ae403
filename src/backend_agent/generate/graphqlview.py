"""What ``app/api/graphql_entities.py`` binds: each entity's GraphQL operations to the
service functions and models its REST routes use."""

from __future__ import annotations

from dataclasses import dataclass

from backend_agent.generate.entities import EntityView, RouteView
from backend_agent.spec.graphql import GraphQLNames, graphql_names

__all__ = ["GraphQLEntityView", "graphql_entities"]


@dataclass(frozen=True)
class GraphQLEntityView:
    """One entity's operations: its GraphQL names and what each one calls."""

    module: str
    names: GraphQLNames
    query: str  # the list's query model
    keyset: bool
    list_function: str
    get_function: str
    create_body: str | None  # None: no create
    create_function: str
    create_needs_user: bool
    update_body: str | None  # None: no update
    update_function: str
    delete_function: str | None  # None: no delete


def _route(entity: EntityView, action: str) -> RouteView | None:
    return next((r for r in entity.routes if r.action == action), None)


def graphql_entities(entities: tuple[EntityView, ...]) -> tuple[GraphQLEntityView, ...]:
    """The GraphQL operations of each entity, in the project's order."""
    views = []
    for e in entities:
        listing, create, update, delete = (
            _route(e, action) for action in ("list", "create", "update", "delete")
        )
        assert listing is not None  # every entity has its list
        views.append(
            GraphQLEntityView(
                module=e.module,
                names=graphql_names(e.name, e.snake, e.plural),
                query=listing.query,
                keyset=listing.keyset,
                list_function=f"list_{e.plural}",
                get_function=f"get_{e.snake}",
                create_body=create.body if create is not None else None,
                create_function=f"create_{e.snake}",
                create_needs_user=create is not None and create.needs_user,
                update_body=update.body if update is not None else None,
                update_function=f"update_{e.snake}",
                delete_function=f"delete_{e.snake}" if delete is not None else None,
            )
        )
    return tuple(views)
