"""What ``app/api/graphql_entities.py`` binds: each entity's GraphQL operations to the
service functions and models its REST routes use."""

from __future__ import annotations

from dataclasses import dataclass, replace

from backend_agent.design.blueprint import Blueprint
from backend_agent.design.graphql import nested_fields
from backend_agent.generate.entities import EntityView, RouteView
from backend_agent.spec.graphql import GraphQLNames, graphql_names

__all__ = ["GraphQLEntityView", "NestedBinding", "graphql_entities"]


@dataclass(frozen=True)
class NestedBinding:
    """A relation field of an entity's type and the batched read behind it."""

    field: str  # comments
    kind: str  # one (belongs_to), many (has_many) or link (many_to_many)
    column: str  # one: the foreign key on this entity's rows; many: on the target's
    target_type: str  # the entity it holds rows of: Comment
    target_module: str
    query: str  # many, link: the target's list query model
    load: str  # what reads it, for many parents at once
    # link: the REST list of the linked rows and the junction table (tests link rows)
    link_path: str = ""
    junction: str = ""
    left: str = ""
    right: str = ""

    @property
    def one(self) -> bool:
        return self.kind == "one"


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
    nested: tuple[NestedBinding, ...] = ()


def _route(entity: EntityView, action: str) -> RouteView | None:
    return next((r for r in entity.routes if r.action == action), None)


def _list_query(entity: EntityView) -> str:
    listing = _route(entity, "list")
    assert listing is not None  # every entity has its list
    return listing.query


def _nested(
    blueprint: Blueprint, entity: EntityView, views: dict[str, EntityView]
) -> tuple[NestedBinding, ...]:
    bindings = []
    for nested in nested_fields(blueprint, blueprint.entity(entity.name)):
        target = blueprint.entity(nested.target)
        module = f"service_{target.snake}"
        if nested.kind == "one":
            load = f"{module}.SERVICE.get_many"
        elif nested.kind == "many":
            load = f"partial({module}.SERVICE.lists_of, parent={nested.column!r})"
        else:
            load = f"service_{entity.module}.group_{entity.snake}_{nested.column}"
        binding = NestedBinding(
            field=nested.name,
            kind=nested.kind,
            column=nested.column,
            target_type=target.name,
            target_module=target.snake,
            query=_list_query(views[target.name]),
            load=load,
        )
        if nested.kind == "link":
            junction = next(
                j
                for j in blueprint.junctions
                if j.left == entity.name and j.relation == nested.name
            )
            route = next(
                r
                for r in blueprint.entity(entity.name).routes
                if r.action == "list_related" and r.relation == nested.name
            )
            binding = replace(
                binding,
                link_path=route.path,
                junction=junction.table.name,
                left=junction.left_column,
                right=junction.right_column,
            )
        bindings.append(binding)
    return tuple(bindings)


def graphql_entities(
    blueprint: Blueprint, entities: tuple[EntityView, ...]
) -> tuple[GraphQLEntityView, ...]:
    """The GraphQL operations of each entity, in the project's order."""
    views = []
    by_name = {e.name: e for e in entities}
    for e in entities:
        create, update, delete = (_route(e, action) for action in ("create", "update", "delete"))
        views.append(
            GraphQLEntityView(
                module=e.module,
                names=graphql_names(e.name, e.snake, e.plural),
                query=_list_query(e),
                keyset=e.keyset,
                list_function=f"list_{e.plural}",
                get_function=f"get_{e.snake}",
                create_body=create.body if create is not None else None,
                create_function=f"create_{e.snake}",
                create_needs_user=create is not None and create.needs_user,
                update_body=update.body if update is not None else None,
                update_function=f"update_{e.snake}",
                delete_function=f"delete_{e.snake}" if delete is not None else None,
                nested=_nested(blueprint, e, by_name),
            )
        )
    return tuple(views)
