"""The plan of the generated cache tests: which entities are cached, who writes them,
which links and cascades must leave no stale entry behind."""

from __future__ import annotations

from dataclasses import dataclass

from backend_agent.design.blueprint import Blueprint, Entity, Rule
from backend_agent.generate.testdata import EntityPlan, SuitePlan

__all__ = ["CacheCascade", "CacheLink", "CacheSuite", "CachedEntity", "cache_suite"]


@dataclass(frozen=True)
class CachedEntity:
    """A cached entity and the roles that read and write it in the tests."""

    plural: str
    table_var: str  # the table's name in the repository module
    snake: str
    create: str
    read: str
    list: str
    update: str
    delete: str
    patch: str  # a dict literal PATCH sends
    stranger: str  # a role whose other accounts must not see an owner's rows, or ""
    stranger_status: int
    stranger_code: str
    exempt: str  # a role that sees every row, or ""
    # Whether the stranger's list leaves the owner's rows out (an owner's list rule the
    # stranger is not exempt from); other list rules show every row to whom they let list.
    stranger_unlisted: bool = False
    # The role whose rows the tests' readers, listers and writers all reach (each the
    # owner or exempt where its rule is an owner's): the tests' rows are its own.
    maker: str = ""
    # A role that lists the rows ``create`` makes through the API.
    create_lister: str = ""


@dataclass(frozen=True)
class CacheLink:
    """A many-to-many relation whose list of linked rows is cached."""

    function: str  # post_tags
    left: str  # the entity's snake name
    relation: str
    target: str  # the target's snake name
    editor: str  # a role that may link (and read)


@dataclass(frozen=True)
class CacheCascade:
    """A cached child whose rows a parent's delete removes or un-links."""

    name: str  # books-loans
    parent: str  # snake names
    child: str
    child_plural: str
    field: str  # the child's foreign key
    deleter: str  # a role that may delete the parent
    reader: str  # a role that reads the child (its owner, for owner rules)
    nulls: bool  # SET NULL: the child stays, its key becomes null


@dataclass(frozen=True)
class CacheSuite:
    """Everything tests/test_cache.py substitutes."""

    entities: tuple[CachedEntity, ...]
    links: tuple[CacheLink, ...]
    cascades: tuple[CacheCascade, ...]
    modules: tuple[str, ...]  # snake names whose test, service and repository modules it uses


def _reaches(rule: Rule, actor: str, owner: str) -> bool:
    """Whether ``actor`` acts on rows ``owner``'s account made (the tests give each role
    one account): where the rule is an owner's, as that owner or as an exempt role."""
    return not rule.checks_owner or actor == owner or actor in rule.roles


def _acting(rule: Rule, actor: str, maker: str) -> str:
    """``actor`` where it reaches the maker's rows, else the maker (their owner)."""
    return actor if _reaches(rule, actor, maker) else maker


def _entity(blueprint: Blueprint, entity: Entity, plan: EntityPlan) -> CachedEntity:
    owner_scoped = plan.read.owner_scoped and bool(plan.read.stranger)
    rules = entity.permissions
    actions = {"list": plan.list, "read": plan.read, "update": plan.update, "delete": plan.delete}
    candidates = [plan.create.actor, *(a.actor for a in actions.values()), *blueprint.auth.roles]
    maker = next(
        (
            role
            for role in candidates
            if all(_reaches(rules[name], a.actor, role) for name, a in actions.items())
        ),
        plan.create.actor,
    )
    return CachedEntity(
        plural=plan.plural,
        table_var=plan.table_var,
        snake=plan.snake,
        create=plan.create.actor,
        # Where no role reaches every action's rows, the maker acts itself where the rule
        # is an owner's (as the rows' owner, it passes): the tests act on the maker's rows.
        read=_acting(rules["read"], plan.read.actor, maker),
        list=_acting(rules["list"], plan.list.actor, maker),
        update=_acting(rules["update"], plan.update.actor, maker),
        delete=_acting(rules["delete"], plan.delete.actor, maker),
        patch="{" + f'"{plan.patch_field}": {plan.patch_value}' + "}" if plan.patch_field else "{}",
        stranger=plan.read.stranger if owner_scoped else "",
        stranger_status=plan.read.stranger_status,
        stranger_code=plan.read.stranger_code,
        exempt=plan.read.exempt if owner_scoped else "",
        stranger_unlisted=rules["list"].checks_owner
        and plan.read.stranger not in rules["list"].roles,
        maker=maker,
        # An owner's list shows the creator its own rows; any other, every row to its role.
        create_lister=plan.create.actor if rules["list"].checks_owner else plan.list.actor,
    )


def _cascades(blueprint: Blueprint, plans: dict[str, EntityPlan]) -> list[CacheCascade]:
    by_table = {e.table.name: e for e in blueprint.entities}
    cascades = []
    for child in blueprint.entities:
        if child.cache is None:
            continue
        for column in child.table.foreign_keys:
            fk = column.foreign_key
            parent: Entity | None = by_table.get(fk.table) if fk else None
            # A soft delete leaves the children's rows as they are: nothing to refresh.
            if fk is None or parent is None or parent.soft_delete or parent is child:
                continue
            if fk.on_delete == "RESTRICT":
                continue
            name = f"{parent.plural}-{child.plural}"
            to_parent = [
                c
                for c in child.table.foreign_keys
                if c.foreign_key and c.foreign_key.table == fk.table
            ]
            if len(to_parent) > 1:  # two relations to one parent: named by the column
                name += f"-{column.name}"
            cascades.append(
                CacheCascade(
                    name=name,
                    parent=parent.snake,
                    child=child.snake,
                    child_plural=child.plural,
                    field=column.name,
                    deleter=plans[parent.name].delete.actor,
                    reader=plans[child.name].read.actor,
                    nulls=fk.on_delete == "SET NULL",
                )
            )
    return cascades


def cache_suite(blueprint: Blueprint, suite: SuitePlan) -> CacheSuite:
    """The cache tests of ``blueprint``'s cached entities (none: only the cache's own)."""
    plans = {plan.name: plan for plan in suite.entities}
    cached = [e for e in blueprint.entities if e.cache is not None]
    # A link's cached list is checked by a role that may both link and list (none: the
    # entity's tests check the refusals instead).
    actors = {(p.name, link.relation): link.actor for p in suite.entities for link in p.links}
    links = [
        CacheLink(
            function=f"{blueprint.entity(j.left).snake}_{j.relation}",
            left=blueprint.entity(j.left).snake,
            relation=j.relation,
            target=blueprint.entity(j.right).snake,
            editor=actors[j.left, j.relation],
        )
        for j in blueprint.junctions
        if blueprint.entity(j.right).cache is not None and actors[j.left, j.relation]
    ]
    cascades = _cascades(blueprint, plans)
    modules = {e.snake for e in cached} | {link.left for link in links}
    modules |= {link.target for link in links}
    modules |= {c.parent for c in cascades} | {c.child for c in cascades}
    return CacheSuite(
        entities=tuple(_entity(blueprint, e, plans[e.name]) for e in cached),
        links=tuple(links),
        cascades=tuple(cascades),
        modules=tuple(sorted(modules)),
    )
