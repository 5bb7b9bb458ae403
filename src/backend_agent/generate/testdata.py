"""The plan of the generated test suite: actors, sample rows, bodies and expected results.

Every expectation is computed here, from the blueprint, so that the test templates only
substitute values: which role may act, which status a stranger gets, which sample rows
a filter returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_agent.design.blueprint import Blueprint, Entity, EntityField, Rule
from backend_agent.design.queries import ORDERED, list_filters
from backend_agent.generate.accessplan import AccessCase, access_cases
from backend_agent.generate.actors import (
    ActionPlan,
    action,
    behind_parent,
    exempt_behind_parents,
    list_owner,
    nested_readers,
    parent_stranger,
    passes,
    row_readers,
)
from backend_agent.generate.authplan import AuthPlan, auth_plan
from backend_agent.generate.freshdata import fresh_rule_pairs, fresh_values
from backend_agent.generate.pyexpr import py, with_article
from backend_agent.generate.ruledata import (
    breaking,
    broken_by,
    compared,
    json_value,
    open_fields,
    plain_fields,
    sample_row,
)
from backend_agent.generate.samples import (
    FACTORY_SAMPLES,
    body_value,
    increasing,
    invalid_json,
    row_value,
    value_source,
)
from backend_agent.generate.tables import table_variable
from backend_agent.generate.transitionplan import (
    CustomPlan,
    TransitionPlan,
    custom_plans,
    transition_plans,
)

__all__ = ["ActionPlan", "EntityPlan", "LinkPlan", "SuitePlan", "suite_plan"]

SAMPLES = 3  # factory rows per entity in list tests


@dataclass(frozen=True)
class ParentPlan:
    """A foreign key the factories and bodies fill with a parent row."""

    field: str
    factory: str
    nullable: bool
    name: str  # the entity's snake name
    # The roles that see a parent row they made (the reference check lets a caller name
    # only rows it sees); () when every role does.
    readers: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkPlan:
    """A many-to-many relation under test, and who links and lists its rows.

    Linking takes the update rule on the row and a target the caller sees; listing the
    links takes the read rule on the row and the target's list rule. ``actor`` may do
    both; where no role may, ``actor`` is "" and the update actor gets the refusals.
    """

    relation: str
    target_factory: str
    target_module: str
    actor: str = ""  # a role that may link, unlink and list the links of its own row
    linker: str = ""  # a role that may link and unlink (it need not list), or ""
    refused: str = ""  # with no ``actor``: the role refused (the update actor)
    link_status: int = 204  # what ``refused`` gets linking a target it made
    link_code: str = ""
    list_status: int = 200  # what ``refused`` gets listing its row's links
    list_code: str = ""


@dataclass(frozen=True)
class RuleCase:
    """A rule between two fields, and a change of one value that breaks it."""

    text: str  # "ends_at > starts_at"
    fields: str  # a set literal of the two fields the refusal names
    body_change: str  # a dict literal of JSON values: merged into a valid body, it breaks
    row_change: str  # the same change as factory (Python) values
    constraints: tuple[str, ...]  # the CHECKs the change breaks (this rule's among them)


@dataclass(frozen=True)
class EntityPlan:
    """The tests of one entity."""

    name: str
    snake: str
    plural: str
    table_var: str  # the table's name in the repository module
    label: str
    a_label: str
    collection: str
    owner: bool
    soft_delete: bool
    factory: str
    samples: tuple[str, ...]  # Python dict literals, one per factory row
    fresh_values: str  # a dict literal drawing new values for the unique columns, or ""
    rule_pairs: str  # the rules a fresh copy must keep, for keep_rules (see _rule_pairs)
    parents: tuple[ParentPlan, ...]
    body: str  # Python dict literal of a valid body, without foreign keys
    body_parents: tuple[ParentPlan, ...]
    invalid_field: str
    invalid_value: str
    patch_field: str
    patch_value: str
    variant_field: str  # a field whose value can differ from ``body``'s and still be valid
    variant_value: str  # that other value, as a Python literal; "" with no such field
    not_null_field: str
    unique: bool
    sort_key: str  # a declared sort key whose samples increase with n, or ""
    default_order: tuple[int, ...]
    filter_cases: tuple[tuple[str, tuple[int, ...]], ...]  # (params literal, sample numbers)
    nested_parent: ParentPlan | None
    nested_collection: str  # "/api/v1/posts/{parent}/comments"
    links: tuple[LinkPlan, ...]
    restricted_by: tuple[ParentPlan, ...]  # children whose RESTRICT key blocks a delete
    # Children of a softly deleted row: hidden with it (CASCADE), or unlinked (SET NULL).
    hidden_by_delete: tuple[ParentPlan, ...]
    # A role that may list and read the rows but not every row of their nested parent:
    # a row under a parent out of its reach must stay hidden from it; "" when none.
    parent_stranger: str
    nulled_by_delete: tuple[ParentPlan, ...]
    list: ActionPlan
    read: ActionPlan
    create: ActionPlan
    update: ActionPlan
    delete: ActionPlan
    # Roles whose GETs show the update (delete) actor's rows, for the ETags its writes
    # send: that actor where it may read its rows, else a reader of every row.
    update_reader: str = ""
    # A role that lists the rows the create actor made under its parent: that actor where
    # the list rule lets it, else the list tests' actor.
    nested_lister: str = ""
    delete_reader: str = ""
    datetime_field: str = ""  # a writable datetime field, sent without an offset: refused
    datetime_param: str = ""  # a list parameter of a datetime field, the same
    transitions: tuple[TransitionPlan, ...] = ()
    custom_actions: tuple[CustomPlan, ...] = ()
    # With aggregates: (key, the row field it reads, how many characters of its text
    # make the period, 0 for the whole value) and (name, function, field, decimal places).
    stats_keys: tuple[tuple[str, str, int], ...] = ()
    stats_measures: tuple[tuple[str, str, str, int | None], ...] = ()
    rule_cases: tuple[RuleCase, ...] = ()  # the rules between fields it can break
    unique_fields: str = ""  # a set literal: the fields a second create's 409 names
    # Whose own rows an owner's list shows alone: a role the list rule does not exempt.
    list_owner: str = ""
    # With full-text search: a searched field the tests write words into ("" when none
    # has room for them: then only the refusals of ``q`` are tested), and whether the
    # index stems English words.
    search_field: str = ""
    search_stems: bool = False
    # Fields only some roles may see or set: who may, who may not (tests/test_field_access.py).
    access: tuple[AccessCase, ...] = ()
    # Parents above it (nested_under, followed up): reading a row may check each one's
    # visibility, one query a level.
    ancestors: int = 0


@dataclass(frozen=True)
class SuitePlan:
    """The whole generated suite."""

    entities: tuple[EntityPlan, ...]
    default_role: str
    admin_role: str  # the most privileged role, for the create-user command
    rate_limit_count: int
    lockout_attempts: int
    lockout_window_seconds: int
    auth: AuthPlan
    # (method, path, role) of the operations whose rule refuses the admin role: a role
    # it lets act, for the tests that send every operation values to refuse.
    route_actors: tuple[tuple[str, str, str], ...] = ()


def _factory(entity: Entity) -> str:
    return f"create_{entity.snake}"


def _parents(blueprint: Blueprint, entity: Entity) -> tuple[ParentPlan, ...]:
    by_table = {e.table.name: e for e in blueprint.entities}
    parents = []
    for field in entity.writable_fields:
        fk = field.column.foreign_key
        if fk is not None and fk.table in by_table:
            target = by_table[fk.table]
            parents.append(
                ParentPlan(
                    field.name,
                    _factory(target),
                    field.column.nullable,
                    target.snake,
                    row_readers(blueprint, target),
                )
            )
    return tuple(parents)


def _reader(actor: str, read_plan: ActionPlan, read: Rule, readers: tuple[str, ...]) -> str:
    """``actor`` if it may read the rows it made, else the read tests' actor."""
    return actor if passes(read, actor) and (not readers or actor in readers) else read_plan.actor


def _link(
    blueprint: Blueprint, entity: Entity, target: Entity, relation: str, editor: str
) -> LinkPlan:
    """Who links ``entity``'s rows to ``target``'s through ``relation``: the test's row and
    targets are made by the actor, so owner rules let it act; the rules by role decide."""
    rules = entity.permissions
    rows, targets = row_readers(blueprint, entity), row_readers(blueprint, target)

    def link_refusal(role: str) -> tuple[int, str]:
        if not passes(rules["update"], role):
            return 403, "FORBIDDEN"
        # The target must be a row the caller sees.
        return (404, "NOT_FOUND") if targets and role not in targets else (204, "")

    def list_refusal(role: str) -> tuple[int, str]:
        if not passes(rules["read"], role):
            return 403, "FORBIDDEN"
        if rows and role not in rows:
            return 404, "NOT_FOUND"
        return (200, "") if passes(target.permissions["list"], role) else (403, "FORBIDDEN")

    candidates = [r for r in (editor, blueprint.auth.default_role, *blueprint.auth.roles) if r]
    linkers = [r for r in candidates if link_refusal(r)[0] == 204]
    actor = next((r for r in linkers if list_refusal(r)[0] == 200), "")
    link_status, link_code = link_refusal(editor) if not actor else (204, "")
    list_status, list_code = list_refusal(editor) if not actor else (200, "")
    return LinkPlan(
        relation,
        _factory(target),
        target.snake,
        actor=actor,
        linker=editor if editor in linkers else next(iter(linkers), ""),
        refused="" if actor else editor,
        link_status=link_status,
        link_code=link_code,
        list_status=list_status,
        list_code=list_code,
    )


def _ancestors(blueprint: Blueprint, entity: Entity) -> int:
    """How many parents the entity is nested under, one above the other."""
    seen, current = {entity.name}, entity.nested_under
    while current is not None and current not in seen:
        seen.add(current)
        current = blueprint.entity(current).nested_under
    return len(seen) - 1


def _increasing(entity: Entity, field: EntityField, count: int = 3) -> bool:
    """Whether ``field``'s values strictly increase over the first sample rows."""
    if field.name not in compared(entity):
        return increasing(field, count)
    values = [sample_row(entity, n)[field.name] for n in range(count)]
    return len(set(map(str, values))) == count and values == sorted(values)  # type: ignore[type-var]


def _sample(entity: Entity, n: int) -> str:
    row = sample_row(entity, n)
    return "{" + ", ".join(f"{py(name)}: {value_source(v)}" for name, v in row.items()) + "}"


def _unique(entity: Entity, parents: tuple[ParentPlan, ...], actor: str) -> bool:
    """Whether ``actor``'s body can be created only once: a unique field, or a unique
    group with a value in each column (a NULL is never equal to another, so a group the
    body leaves a column of empty, such as a parent only some roles may name, never
    conflicts)."""
    empty = {p.field for p in parents if p.nullable and p.readers and actor not in p.readers}
    return any(index.reported and not empty & set(index.columns) for index in entity.table.indexes)


def _body(entity: Entity) -> str:
    first, rules = sample_row(entity, 0), compared(entity)
    values = {
        f.name: json_value(first[f.name]) if f.name in rules else body_value(f)
        for f in open_fields(entity)
    }
    return "{" + ", ".join(f"{py(name)}: {py(value)}" for name, value in values.items()) + "}"


def _sort_key(entity: Entity) -> str:
    plain = {f.name: f for f in plain_fields(entity)}
    for key in entity.sort:
        field = plain.get(key)
        orderable = field is not None and field.column.type in ORDERED | {"string", "text"}
        if field is not None and orderable and _increasing(entity, field):
            return key
    return "created_at" if "created_at" in entity.sort else ""


def _filter_cases(entity: Entity) -> tuple[tuple[str, tuple[int, ...]], ...]:
    plain = {f.name: f for f in plain_fields(entity)}
    params = {(f.field, f.op): f.param for f in list_filters(entity)}
    cases: list[tuple[str, tuple[int, ...]]] = []
    rows = [sample_row(entity, n) for n in range(SAMPLES)]
    for name in entity.filters:
        field = plain.get(name)
        if field is None:
            continue
        values = [row[name] for row in rows]
        wanted = values[0]
        text = _query_text(json_value(values[0]))
        cases.append(
            (
                "{" + f"{py(params[name, 'EQ'])}: {py(text)}" + "}",
                tuple(n for n, v in enumerate(values) if v == wanted),
            )
        )
        if field.column.type in ORDERED and _increasing(entity, field):
            low = _query_text(json_value(values[1]))
            cases.append(("{" + f"{py(params[name, 'GE'])}: {py(low)}" + "}", (1, 2)))
            cases.append(("{" + f"{py(params[name, 'LE'])}: {py(low)}" + "}", (0, 1)))
    return tuple(cases)


def _query_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _entity_plan(blueprint: Blueprint, entity: Entity) -> EntityPlan:
    rules = entity.permissions
    read = rules["read"]
    # Rows of a nested entity are seen only by who sees their parent (the tests' bodies
    # name one even where the relation is optional): every actor is chosen among those.
    behind = nested_readers(blueprint, entity)
    # The readers of each parent row a body must name: its sender must be one of them.
    required = tuple(p.readers for p in _parents(blueprint, entity) if not p.nullable) + behind
    create = action(rules["create"], blueprint, read, parents=required)
    owner_role = create.actor
    plain = open_fields(entity)
    invalid = next((f for f in plain if invalid_json(f) is not None), None)
    # A field no rule compares: a lone new value could break a rule with the row's other.
    patch = next(
        (
            f
            for f in plain
            if f.column.type in ("string", "text", "integer", "enum")
            and f.name not in compared(entity)
        ),
        None,
    )
    not_null = next((f for f in entity.writable_fields if not f.column.nullable), None)
    parents = _parents(blueprint, entity)
    nested = next((p for p in parents if p.field == entity.nested_column), None)
    nested_collection = ""
    if nested is not None and entity.nested_under:
        parent = blueprint.entity(entity.nested_under)
        nested_collection = f"{parent.collection_path}/{{parent_id}}/{entity.plural}"
    children: dict[str, list[ParentPlan]] = {"RESTRICT": [], "CASCADE": [], "SET NULL": []}
    for other in blueprint.entities:
        for field in other.writable_fields:
            fk = field.column.foreign_key
            if fk and fk.table == entity.table.name:
                children[fk.on_delete].append(
                    ParentPlan(field.name, _factory(other), field.column.nullable, other.snake)
                )
    restricted = children["RESTRICT"]
    # A row of the entity's own table refers to a row of it: not a child the soft delete
    # reaches (visibility follows parents of other entities only).
    soft = [c for c in children["CASCADE"] if c.name != entity.snake] if entity.soft_delete else []
    nulled = children["SET NULL"] if entity.soft_delete else []
    update = behind_parent(
        action(rules["update"], blueprint, read, owner_role, required), blueprint, entity
    )
    update = exempt_behind_parents(update, rules["update"], blueprint, entity)
    delete = behind_parent(
        action(rules["delete"], blueprint, read, owner_role, behind), blueprint, entity
    )
    delete = exempt_behind_parents(delete, rules["delete"], blueprint, entity)
    read_plan = behind_parent(action(read, blueprint, read, parents=behind), blueprint, entity)
    read_plan = exempt_behind_parents(read_plan, read, blueprint, entity)
    list_plan = action(rules["list"], blueprint, read, reads=False, parents=behind)
    list_plan = exempt_behind_parents(list_plan, rules["list"], blueprint, entity)
    own_readers = row_readers(blueprint, entity)
    links = tuple(
        _link(blueprint, entity, blueprint.entity(j.right), j.relation, update.actor)
        for j in blueprint.junctions
        if j.left == entity.name
    )

    def acting(rule: Rule) -> tuple[ActionPlan, str]:
        # A move reads no body: like a delete, it needs only the row's parent in reach.
        plan = action(rule, blueprint, read, owner_role, behind)
        plan = behind_parent(plan, blueprint, entity)
        return plan, _reader(plan.actor, read_plan, read, own_readers)

    sort_key = _sort_key(entity)
    variant = _variant(entity)
    # The offset test moves a datetime to a later day: never one a rule keeps below another.
    lesser = {r.left if r.op in ("<", "<=") else r.right for r in entity.table.rules}
    moments = [
        f for f in entity.writable_fields if f.column.type == "datetime" and f.name not in lesser
    ]
    return EntityPlan(
        name=entity.name,
        snake=entity.snake,
        plural=entity.plural,
        table_var=table_variable(entity),
        label=entity.title.lower(),
        a_label=with_article(entity.title.lower()),
        collection=entity.collection_path,
        owner=entity.owner,
        soft_delete=entity.soft_delete,
        factory=_factory(entity),
        samples=tuple(_sample(entity, n) for n in range(FACTORY_SAMPLES)),
        fresh_values=fresh_values(entity),
        rule_pairs=fresh_rule_pairs(entity),
        parents=tuple(p for p in parents if not p.nullable),
        body=_body(entity),
        body_parents=parents,
        invalid_field=invalid.name if invalid else "",
        invalid_value=py(invalid_json(invalid)) if invalid else "",
        patch_field=patch.name if patch else "",
        patch_value=py(body_value(patch)) if patch else "",
        variant_field=variant[0],
        variant_value=variant[1],
        not_null_field=not_null.name if not_null else "",
        unique=_unique(entity, parents, create.actor),
        sort_key=sort_key,
        default_order=(2, 1, 0),
        filter_cases=_filter_cases(entity),
        nested_parent=nested,
        nested_collection=nested_collection,
        links=links,
        restricted_by=tuple(restricted),
        hidden_by_delete=tuple(soft),
        parent_stranger=parent_stranger(blueprint, entity),
        nulled_by_delete=tuple(nulled),
        list=list_plan,
        read=read_plan,
        create=create,
        update=update,
        delete=delete,
        update_reader=_reader(update.actor, read_plan, read, own_readers),
        nested_lister=create.actor if passes(rules["list"], create.actor) else list_plan.actor,
        delete_reader=_reader(delete.actor, read_plan, read, own_readers),
        # One every caller reads and sets: the test reads back what the create sent.
        datetime_field=next(
            (f.name for f in moments if f.read_roles is None and f.write_roles is None), ""
        ),
        datetime_param=next(
            (f.param for f in list_filters(entity) if f.field in {m.name for m in moments}), ""
        ),
        transitions=transition_plans(entity, blueprint.queues, acting),
        custom_actions=custom_plans(entity, acting),
        stats_keys=tuple(
            (k.text, k.column, {"day": 10, "month": 7, "year": 4}.get(k.period or "", 0))
            for k in (entity.aggregates.keys if entity.aggregates else ())
        ),
        stats_measures=tuple(
            (m.key, m.function, m.column or "", m.scale if m.type == "decimal" else None)
            for m in (entity.aggregates.measures if entity.aggregates else ())
        ),
        list_owner=list_owner(blueprint, rules["list"], list_plan.actor, behind),
        rule_cases=_rule_cases(entity),
        unique_fields=_unique_fields(entity),
        search_field=_search_field(entity),
        search_stems=entity.table.search is not None and entity.table.search.language == "english",
        access=access_cases(blueprint, entity),
        ancestors=_ancestors(blueprint, entity),
    )


def _rule_cases(entity: Entity) -> tuple[RuleCase, ...]:
    """A case for each rule that one changed field of sample 0 can break. Where a change
    breaks other rules too, the database names whichever CHECK it tries first: the
    change chosen breaks only rules over the same two fields (``a < b`` with ``a <= b``),
    and the case accepts any of their CHECKs."""
    first = sample_row(entity, 0)
    cases = []
    for rule in entity.table.rules:
        pair = {rule.left, rule.right}
        for change in breaking(entity, first, rule.left, rule.right, rule.op):
            broken = broken_by(entity, first | change)
            if all({other.left, other.right} == pair for other in broken):
                break
        else:
            continue
        cases.append(
            RuleCase(
                text=rule.text,
                fields="{" + ", ".join(py(n) for n in sorted(pair)) + "}",
                body_change=py({k: json_value(v) for k, v in change.items()}),
                row_change="{"
                + ", ".join(f"{py(k)}: {value_source(v)}" for k, v in change.items())
                + "}",
                constraints=tuple(sorted(other.name for other in broken)),
            )
        )
    return tuple(cases)


# The longest text the search tests write into a field ("quokka zephyr marmot").
SEARCH_TEXT_LENGTH = 20


def _search_field(entity: Entity) -> str:
    """A searched field that holds any words up to :data:`SEARCH_TEXT_LENGTH` characters:
    a writable string or text without a pattern or a rule."""
    if entity.table.search is None:
        return ""
    writable = {f.name: f for f in entity.writable_fields}
    for name in entity.table.search.columns:
        field = writable.get(name)
        if field is None or name in compared(entity):
            continue
        column = field.column
        if column.type not in ("string", "text") or column.pattern:
            continue
        if column.max_length is not None and column.max_length < SEARCH_TEXT_LENGTH:
            continue
        if column.min_length is not None and column.min_length > SEARCH_TEXT_LENGTH:
            continue
        return name
    return ""


def _unique_fields(entity: Entity) -> str:
    """The fields of the entity's one unique constraint; "" with none, or several (which
    one a second create breaks first is the database's choice)."""
    reported = [index for index in entity.table.indexes if index.reported]
    if len(reported) != 1:
        return ""
    return "{" + ", ".join(py(name) for name in sorted(reported[0].columns)) + "}"


def _other_value(field: EntityField) -> object:
    """A valid request value for ``field`` other than the one ``body_value`` gives, or
    ``body_value`` itself when there is none."""
    column = field.column
    first = body_value(field)
    if column.type == "enum":
        return next((v for v in column.enum_values if v != first), first)
    if column.type == "boolean":
        return not first
    if column.type in ("string", "text") and not column.pattern and isinstance(first, str):
        # Same length, last character changed: every length bound still holds.
        return first[:-1] + ("y" if first.endswith("x") else "x") if first else first
    if column.type in ("string", "text"):
        return first
    return row_value(field, 1, json=True)


def _variant(entity: Entity) -> tuple[str, str]:
    """A field and a valid value for it that makes a body differ from ``_body``'s."""
    for field in open_fields(entity):
        if field.name in compared(entity):
            continue
        other = _other_value(field)
        if other != body_value(field):
            return field.name, py(other)
        if field.column.nullable and body_value(field) is not None:
            return field.name, "None"
    return "", ""


def _rate_limit_count(rate: str) -> int:
    return int(rate.split("/", 1)[0])


def _route_actors(blueprint: Blueprint, admin: str) -> tuple[tuple[str, str, str], ...]:
    """A role each role-restricted operation lets act, where the admin role may not."""
    return tuple(
        (route.method, route.path, route.rule.roles[0])
        for route in blueprint.routes
        if route.rule.kind == "roles" and route.rule.roles and admin not in route.rule.roles
    )


def suite_plan(blueprint: Blueprint) -> SuitePlan:
    """The plan of the suite generated for ``blueprint``."""
    admin = blueprint.auth.admin_role or blueprint.auth.roles[0]
    return SuitePlan(
        entities=tuple(_entity_plan(blueprint, e) for e in blueprint.entities),
        default_role=blueprint.auth.default_role,
        admin_role=admin,
        rate_limit_count=_rate_limit_count(blueprint.auth.rate_limit),
        lockout_attempts=blueprint.auth.lockout_attempts,
        lockout_window_seconds=blueprint.auth.lockout_window_seconds,
        auth=auth_plan(blueprint.auth),
        route_actors=_route_actors(blueprint, admin),
    )
