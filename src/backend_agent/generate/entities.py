"""View models of entities: every name and expression their modules need, decided here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from backend_agent.design.blueprint import Blueprint, Entity, Route, Rule, TextSearch
from backend_agent.design.graphql import nested_fields
from backend_agent.design.openapi import sort_varname
from backend_agent.design.queries import RELEVANCE
from backend_agent.generate.fields import (
    FieldView,
    FilterView,
    TypeAlias,
    field_views,
    filter_views,
)
from backend_agent.generate.liveness import Liveness, liveness
from backend_agent.generate.pyexpr import column_ref, identifier, model_attribute, py, with_article
from backend_agent.generate.statsview import StatsView, stats_view
from backend_agent.generate.tables import TableView, table_variable, table_view
from backend_agent.generate.transitions import TransitionView, transition_views

__all__ = [
    "CacheView",
    "EntityView",
    "LinkView",
    "NestedView",
    "ParentScopeView",
    "ReferenceView",
    "RouteView",
    "SortView",
    "TargetView",
    "entity_view",
]

_ACTIONS = ("list", "read", "create", "update", "delete")
# The rule (of _ACTIONS) an endpoint checks before it validates anything of the request.
_RULE_OF = {
    "list": "list",
    "list_nested": "list",
    "list_related": "read",
    "read": "read",
    "create": "create",
    "create_nested": "create",
    "replace": "update",
    "update": "update",
    "delete": "delete",
    "link": "update",
    "unlink": "update",
    "stats": "list",
}


@dataclass(frozen=True)
class TargetView:
    """The few names of another entity that a module refers to."""

    name: str
    module: str
    table: str
    label: str
    a_label: str
    plural_label: str
    owner: bool
    keyset: bool = False  # its lists are paged by cursor
    limited: bool = False  # some of its fields are shown only to some roles


@dataclass(frozen=True)
class CacheView:
    """An entity's read cache: its TTL, and what its writes invalidate."""

    ttl: int | None  # seconds; None: the entity's reads are not cached
    on_write: str  # arguments of cache.invalidate() after a create, replace or update; "" none
    on_delete: str  # the same after a delete


def _invalidate_args(entities: tuple[str, ...]) -> str:
    return ", ".join(py(name) for name in entities)


@dataclass(frozen=True)
class LinkView:
    """A many-to-many relation: its junction and the functions that serve it."""

    relation: str
    function: str  # post_tags: list_post_tags, link_post_tags, unlink_post_tags
    target: TargetView
    junction: str
    left_column: str
    right_column: str
    param: str  # the target's id in repository and service functions: tag_id
    route_param: str  # the target's id in the URL (differs for links to the same entity)
    t: str  # "tag_repo." (or "" when the target is the entity itself)
    ts: str  # "tag_service."
    target_owner_arg: str
    target_owner_assign: str
    cached: bool = False  # the target is cached, so the list of linked rows is too
    stale: str = ""  # arguments of cache.invalidate() after a link or unlink; "" none


@dataclass(frozen=True)
class NestedView:
    """The parent an entity is nested under."""

    parent: TargetView
    parent_snake: str
    parent_label: str
    parent_service: str  # "post_service."
    column: str
    create_line: str
    has_parent_filters: bool


@dataclass(frozen=True)
class ParentScopeView:
    """The parent a nested entity's rows are visible through: only where it is."""

    ts: str  # "order_service."
    column: str  # the foreign key to the parent
    label: str


@dataclass(frozen=True)
class ReferenceView:
    """A foreign key a client sets, checked against what the caller can see."""

    field: str
    label: str
    ts: str


@dataclass(frozen=True)
class SortView:
    """A sort key and its column."""

    name: str
    column: str


@dataclass(frozen=True)
class RouteView:
    """One endpoint function."""

    method: str
    path: str
    status: int
    operation_id: str
    summary: str
    action: str
    params: tuple[str, ...]
    link: LinkView | None
    body: str = ""  # the model of the request body, if any
    query: str = ""  # the model of the query string, if any
    needs_user: bool = False  # the endpoint refuses anonymous callers itself (401)
    rule: str = ""  # the key in the service's RULES checked before the request is validated
    transition: str = ""  # a transition's route: the transition's name
    keyset: bool = False  # a list paged by cursor: the route reads and writes cursors


@dataclass(frozen=True)
class EntityView:
    """Everything the templates of one entity substitute."""

    name: str
    snake: str
    plural: str
    module: str
    table: str
    table_var: str  # the table's name in the repository module
    title: str
    label: str
    a_label: str
    plural_label: str
    tag: str
    owner: bool
    soft_delete: bool
    owner_arg: str
    owner_assign: str
    model: TableView
    junctions: tuple[TableView, ...]
    type_aliases: tuple[TypeAlias, ...]
    create_fields: tuple[FieldView, ...]
    nested_create_fields: tuple[FieldView, ...]
    update_fields: tuple[FieldView, ...]
    populate_by_name: bool
    sort_choices: tuple[str, ...]
    sort_varnames: tuple[str, ...]
    default_sort: str
    filters: tuple[FilterView, ...]
    sorts: tuple[SortView, ...]
    response_columns: tuple[str, ...]
    nested: NestedView | None
    links: tuple[LinkView, ...]
    references: tuple[ReferenceView, ...]
    rules: tuple[tuple[str, str], ...]
    create_user_type: str
    dump: str
    dump_unset: str
    insert_values: str
    location: str
    routes: tuple[RouteView, ...]
    cache: CacheView
    # Imports of other modules of the project; the standard ones are in the templates,
    # and the formatter drops any a given entity does not use.
    repo_imports: tuple[str, ...]
    service_imports: tuple[str, ...]
    route_imports: tuple[str, ...]
    # Rows hidden with their parents, and what a soft delete does to the children.
    liveness: Liveness
    # The nested parent, when its read rule keeps some callers from some of its rows.
    parent_scope: ParentScopeView | None
    parent_owned: str  # the list's clause for the parent's owner scope, or ""
    counted: bool = False  # the unfiltered list's total is the trigger-kept count
    # The filters the repository knows: the list's, and the nested parent's key, which
    # the nested list always filters on whether or not clients may.
    repo_filters: tuple[FilterView, ...] = ()
    transitions: tuple[TransitionView, ...] = ()  # the state machines' moves
    row_rules: tuple[str, ...] = ()  # RowRule(...) of each rule between two fields
    actions: tuple[tuple[str, str], ...] = ()  # (name, route function) of each custom action
    stats: StatsView | None = None  # GET .../stats, with aggregates
    search: TextSearch | None = None  # the full-text index behind ``q``, if any
    keyset: bool = False  # its lists are paged by cursor (app/repositories/keyset.py)
    nullable_sorts: tuple[str, ...] = ()  # sort keys whose column may hold NULL
    # Field-level permissions: {field: frozenset(roles)} literals of who sees (sets) a
    # field some roles may not, or "" when every field is everyone's.
    readers: str = ""
    writers: str = ""
    rule_texts: tuple[str, ...] = ()  # each rule between two fields: "ends_at > starts_at"
    # GraphQL reads its rows for many parents at once (a has_many's nested list).
    grouped: bool = False


def target_view(entity: Entity) -> TargetView:
    """The names other modules use to refer to ``entity``."""
    return TargetView(
        name=entity.name,
        module=entity.snake,
        table=table_variable(entity),
        label=entity.title.lower(),
        a_label=with_article(entity.title.lower()),
        plural_label=entity.plural.replace("_", " "),
        owner=entity.owner,
        keyset=entity.keyset,
        limited=any(f.read_roles is not None for f in entity.readable_fields),
    )


def _roles_by_field(roles: Mapping[str, tuple[str, ...] | None]) -> str:
    """``{"salary": frozenset({"admin"})}`` for the fields some roles may not see (set)."""
    limited = {name: frozenset(only) for name, only in roles.items() if only is not None}
    return py(limited) if limited else ""


def rule_expr(rule: Rule) -> str:
    """``Rule("roles", frozenset({"admin"}))``."""
    if not rule.roles:
        return f"Rule({py(rule.kind)})"
    return f"Rule({py(rule.kind)}, {py(frozenset(rule.roles))})"


def _links(blueprint: Blueprint, entity: Entity) -> tuple[LinkView, ...]:
    links = []
    for junction in blueprint.junctions:
        if junction.left != entity.name:
            continue
        target = blueprint.entity(junction.right)
        own = target.name == entity.name
        links.append(
            LinkView(
                relation=junction.relation,
                function=f"{entity.snake}_{junction.relation}",
                target=target_view(target),
                junction=junction.table.name,
                left_column=junction.left_column,
                right_column=junction.right_column,
                param=junction.right_column,
                route_param=f"{target.snake}_id",
                t="" if own else f"{target.snake}_repo.",
                ts="" if own else f"{target.snake}_service.",
                target_owner_arg="owner_id" if target.owner else "",
                target_owner_assign="owner_id = " if target.owner else "",
                cached=target.cache is not None,
                stale=_invalidate_args(entity.invalidation.for_link(junction.relation)),
            )
        )
    return tuple(links)


def _references(blueprint: Blueprint, entity: Entity) -> tuple[ReferenceView, ...]:
    by_table = {e.table.name: e for e in blueprint.entities}
    references = []
    for field in entity.writable_fields:
        fk = field.column.foreign_key
        if fk is None or fk.table not in by_table:
            continue
        target = by_table[fk.table]
        ts = "" if target.name == entity.name else f"{target.snake}_service."
        references.append(ReferenceView(field.name, target.title.lower(), ts))
    return tuple(references)


def _response_column(table: str, name: str) -> str:
    # A column whose model attribute had to be renamed comes back keyed by a str
    # subclass, which orjson refuses; a label gives it a plain key.
    ref = column_ref(table, name)
    return ref if identifier(name) == name else f"{ref}.label({py(name)})"


def _sorts(entity: Entity) -> tuple[tuple[SortView, ...], tuple[str, ...]]:
    keys = list(entity.sort)
    default = entity.default_sort.removeprefix("-")
    # The default order must work even when clients may not ask for it by name.
    columns = [*keys, default] if default not in keys else keys
    views = tuple(SortView(k, column_ref(table_variable(entity), k)) for k in columns)
    choices = tuple(v for key in (keys or [default]) for v in (key, f"-{key}"))
    return views, choices


def _route(entity: Entity, route: Route, links: Mapping[str, LinkView], prefix: str) -> RouteView:
    action = route.action
    creates = action in ("create", "create_nested")
    # Rules are checked by the services (401 or 403); only creating an owned row needs
    # the caller's id in the signature itself.
    needs_user = creates and entity.owner
    params = ["db: SessionDep", f"user: {'CurrentUser' if needs_user else 'OptionalUser'}"]
    link = links.get(route.relation or "") if action in ("list_related", "link", "unlink") else None
    path_params = [part[1:-1] for part in route.path.split("/") if part.startswith("{")]
    params[:0] = [f"{identifier(name)}: uuid.UUID" for name in path_params]
    name = entity.name
    query = ""
    keyset = False
    if action in ("list", "list_nested", "list_related"):
        query = {"list": f"{name}Query", "list_nested": f"{name}NestedQuery"}.get(
            action, f"{link.target.name}Query" if link else ""
        )
        params.append(f"query: Annotated[{query}, Query()]")
        keyset = link.target.keyset if link else entity.keyset
        if keyset:
            params.insert(0, "request: Request")
    elif action == "stats":
        query = f"{name}StatsQuery"
        params.append(f"query: Annotated[{query}, Query()]")
    body = {
        "create": f"{name}Create",
        "replace": f"{name}Create",
        "create_nested": f"{name}NestedCreate",
        "update": f"{name}Update",
    }.get(action)
    if body:
        # A dependency, not a body parameter: FastAPI would parse a body parameter
        # before the caller's rule is checked (app.api.bodies).
        params.insert(len(path_params), f"body: Annotated[{body}, Depends(json_body({body}))]")
    if creates:
        params.append("idempotency: IdempotencyDep")
    elif action in ("replace", "update", "delete", "transition"):
        params.append("if_match: IfMatch = None")
    return RouteView(
        method=route.method.lower(),
        path=route.path.removeprefix(prefix),
        status=route.status,
        operation_id=route.operation_id,
        summary=route.summary,
        action=action,
        params=tuple(params),
        link=link,
        body=body or "",
        query=query,
        needs_user=needs_user,
        # A transition's rule is its own, keyed by its name; so is a custom action's.
        rule=route.transition or route.custom or _RULE_OF[action],
        transition=route.transition or "",
        keyset=keyset,
    )


def entity_view(blueprint: Blueprint, entity: Entity) -> EntityView:
    """The view model of one entity."""
    table = table_variable(entity)
    aliased = any(model_attribute(f.name) != f.name for f in entity.writable_fields)
    classes = {f"{entity.name}{suffix}" for suffix in ("Create", "Update", "Query")}
    taken = {
        *("SortKey", "JsonValue", "NotNull", "PageParams", "UTCDateTime", "Text", "StoredJson"),
        "CursorParams",
        "SearchText",
        "Storable",
        *("EMAIL_PATTERN", "URL_PATTERN", "EMAIL_FORMAT", "URL_FORMAT", *classes),
    }
    aliases, types, fields = field_views(entity, taken)
    filters = filter_views(entity, types, table)
    sorts, sort_choices = _sorts(entity)
    if entity.table.search is not None:
        sort_choices = (*sort_choices, RELEVANCE)
    links = _links(blueprint, entity)
    nested = None
    if entity.nested_under and entity.nested_column:
        parent = blueprint.entity(entity.nested_under)
        nested_field = next(f for f in fields if f.name == entity.nested_column)
        nested = NestedView(
            parent=target_view(parent),
            parent_snake=parent.snake,
            parent_label=parent.title.lower(),
            parent_service="" if parent.name == entity.name else f"{parent.snake}_service.",
            column=entity.nested_column,
            create_line=nested_field.create_line,
            has_parent_filters=any(f.parent for f in filters),
        )
    references = _references(blueprint, entity)
    routes = tuple(
        _route(entity, r, {link.relation: link for link in links}, blueprint.api_prefix)
        for r in entity.routes
    )
    junctions = tuple(
        table_view(
            j.table,
            doc=f"Links between {entity.plural} and {blueprint.entity(j.right).plural}.",
        )
        for j in blueprint.junctions
        if j.left == entity.name
    )
    scope, parent_owned = _parent_scope(blueprint, entity)
    item = entity.item_path.replace("{id}", "{row['id']}")
    view = EntityView(
        name=entity.name,
        snake=entity.snake,
        plural=entity.plural,
        module=entity.snake,
        table=entity.table.name,
        table_var=table,
        title=entity.title,
        label=entity.title.lower(),
        a_label=with_article(entity.title.lower()),
        plural_label=entity.plural.replace("_", " "),
        tag=entity.plural,
        owner=entity.owner,
        soft_delete=entity.soft_delete,
        owner_arg="owner_id" if entity.owner else "",
        owner_assign="owner_id = " if entity.owner else "",
        model=table_view(
            entity.table,
            class_name=entity.name,
            doc=entity.description or f"A row of {entity.plural.replace('_', ' ')}.",
        ),
        junctions=junctions,
        type_aliases=aliases,
        create_fields=fields,
        nested_create_fields=tuple(f for f in fields if f.name != entity.nested_column),
        update_fields=fields,
        populate_by_name=aliased,
        sort_choices=sort_choices,
        sort_varnames=tuple(sort_varname(c) for c in sort_choices),
        default_sort=entity.default_sort,
        filters=filters,
        sorts=sorts,
        response_columns=tuple(_response_column(table, f.name) for f in entity.readable_fields),
        nested=nested,
        links=links,
        references=references,
        rules=(
            *((a, rule_expr(entity.permissions[a])) for a in _ACTIONS),
            *((t.name, rule_expr(t.rule)) for t in entity.transitions),
            *((a.name, rule_expr(a.rule)) for a in entity.actions),
        ),
        create_user_type="AuthUser" if entity.owner else "AuthUser | None",
        dump="model_dump(by_alias=True)" if aliased else "model_dump()",
        dump_unset=(
            "model_dump(exclude_unset=True, by_alias=True)"
            if aliased
            else "model_dump(exclude_unset=True)"
        ),
        insert_values='{**values, "owner_id": user.id}' if entity.owner else "values",
        location=f'f"{item}"',
        routes=routes,
        cache=CacheView(
            ttl=entity.cache.ttl_seconds if entity.cache else None,
            on_write=_invalidate_args(entity.invalidation.on_write),
            on_delete=_invalidate_args(entity.invalidation.on_delete),
        ),
        repo_imports=(),
        service_imports=(),
        route_imports=(),
        counted=any(c.table == entity.table.name for c in blueprint.counted),
        liveness=liveness(blueprint, entity),
        parent_scope=scope,
        parent_owned=parent_owned,
        repo_filters=_repo_filters(entity, filters),
        transitions=transition_views(blueprint, entity),
        row_rules=tuple(
            f"RowRule({py(r.left)}, {py(r.op)}, {py(r.right)})" for r in entity.table.rules
        ),
        rule_texts=tuple(r.text for r in entity.table.rules),
        actions=tuple((r.custom, r.operation_id) for r in entity.routes if r.custom),
        stats=stats_view(entity),
        search=entity.table.search,
        keyset=entity.keyset,
        nullable_sorts=tuple(k for k in entity.sort if entity.table.column(k).nullable),
        readers=_roles_by_field({f.name: f.read_roles for f in entity.readable_fields}),
        writers=_roles_by_field({f.name: f.write_roles for f in entity.writable_fields}),
        grouped=blueprint.graphql
        and any(
            nested.kind == "many" and nested.target == entity.name
            for other in blueprint.entities
            for nested in nested_fields(blueprint, other)
        ),
    )
    return replace(
        view,
        repo_imports=_repo_imports(view),
        service_imports=_service_imports(view),
        route_imports=_route_imports(view),
    )


def _parent_scope(blueprint: Blueprint, entity: Entity) -> tuple[ParentScopeView | None, str]:
    """The scope a nested entity inherits from its parent's read rule, and its list clause."""
    if not entity.nested_under or not entity.nested_column or entity.nested_under == entity.name:
        return None, ""
    parent = blueprint.entity(entity.nested_under)
    rule = parent.permissions["read"]
    if rule.kind not in ("roles", "owner", "owner_or_roles"):
        return None, ""
    scope = ParentScopeView(f"{parent.snake}_service.", entity.nested_column, parent.title.lower())
    if not (parent.owner and rule.checks_owner):
        return scope, ""
    parent_table = f"table_of({parent.snake}_models.{parent.name})"
    key = column_ref(table_variable(entity), entity.nested_column)
    owner = f'{parent_table}.c.owner_id == bindparam("parent_owner_id")'
    owned = f"select({parent_table}.c.id).where({owner})"
    if entity.table.column(entity.nested_column).nullable:
        # A row under no parent is in reach, as its single read finds (services/base.py).
        return scope, f"or_({key}.is_(None), {key}.in_({owned}))"
    return scope, f"{key}.in_({owned})"


def _repo_filters(entity: Entity, filters: tuple[FilterView, ...]) -> tuple[FilterView, ...]:
    column = entity.nested_column
    if not entity.nested_under or not column or any(f.name == column for f in filters):
        return filters
    parent = FilterView(
        name=column,
        column=column_ref(table_variable(entity), column),
        op="EQ",
        line="",
        parent=True,
    )
    return (*filters, parent)


def _schema_names(view: EntityView) -> list[str]:
    names = [f"{view.name}Create", f"{view.name}Query", f"{view.name}Update"]
    if view.nested:
        names += [f"{view.name}NestedCreate", f"{view.name}NestedQuery"]
    if view.stats:
        names.append(f"{view.name}StatsQuery")
    return sorted(names)


def _link_targets(view: EntityView) -> list[TargetView]:
    seen: dict[str, TargetView] = {}
    for link in view.links:
        if link.target.name != view.name:
            seen.setdefault(link.target.name, link.target)
    return list(seen.values())


def _repo_imports(view: EntityView) -> tuple[str, ...]:
    # The model class through its module: an entity may be called like a name this
    # module imports (Page, Row, Filter, Column...).
    lines = [f"from app.models import {view.module} as {view.module}_models"]
    if view.junctions:
        junctions = ", ".join(j.variable for j in view.junctions)
        lines.append(f"from app.models.{view.module} import {junctions}")
    modules = {e.snake for e in view.liveness.modules}
    if view.parent_owned and view.nested:
        modules.add(view.nested.parent_snake)
    lines += [f"from app.models import {m} as {m}_models" for m in sorted(modules)]
    lines += [
        f"from app.repositories import {t.module} as {t.module}_repo" for t in _link_targets(view)
    ]
    if view.stats:
        lines.append("from app.repositories import stats")
    return tuple(lines)


def _service_imports(view: EntityView) -> tuple[str, ...]:
    lines = [
        f"from app.domain import {view.module} as domain_hooks",
        f"from app.repositories import {view.module} as repo",
        f"from app.schemas.{view.module} import {', '.join(_schema_names(view))}",
    ]
    services = {t.module for t in _link_targets(view)}
    services |= {r.ts.removesuffix("_service.") for r in view.references if r.ts}
    if view.nested and view.nested.parent_service:
        services.add(view.nested.parent.module)
    for target in _link_targets(view):
        lines.append(f"from app.schemas.{target.module} import {target.name}Query")
    lines += [f"from app.services import {m} as {m}_service" for m in sorted(services)]
    return tuple(lines)


def _route_imports(view: EntityView) -> tuple[str, ...]:
    lines = [f"from app.schemas.{view.module} import {', '.join(_schema_names(view))}"]
    for target in _link_targets(view):
        lines.append(f"from app.schemas.{target.module} import {target.name}Query")
    lines.append(f"from app.services import {view.module} as service")
    return tuple(lines)
