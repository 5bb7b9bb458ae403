"""Who acts in the generated tests: for each rule, a role that may act, one refused,
a stranger to the caller's rows and a role exempt from ownership, each chosen so that it
sees the parents of the rows it acts on (a row is in reach only where its parents are).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from backend_agent.design.blueprint import Blueprint, Entity, Rule

__all__ = [
    "ActionPlan",
    "action",
    "behind_parent",
    "exempt_behind_parents",
    "list_owner",
    "nested_readers",
    "parent_stranger",
    "passes",
    "row_readers",
    "sees",
]


@dataclass(frozen=True)
class ActionPlan:
    """Who exercises one action in the tests, and what others get."""

    needs_user: bool
    actor: str  # a role that may act (as the owner, for owner rules)
    denied: str  # a role refused outright (403), or "" when every role may
    owner_scoped: bool  # rows are filtered by owner for callers outside rule.roles
    stranger: str  # a role that does not own the row and is not exempt, or ""
    stranger_status: int  # what the stranger gets: 404 (cannot see it) or 403
    stranger_code: str
    exempt: str  # a role that may act on rows it does not own, or ""
    reader: str = ""  # who reads back what the actor wrote: the actor where it may


def _first(candidates: list[str], excluded: tuple[str, ...]) -> str:
    return next((role for role in candidates if role not in excluded), "")


def sees(role: str, parents: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``role`` sees a parent row of each of ``parents`` (readers, () for all)."""
    return all(not readers or role in readers for readers in parents)


def _best(options: list[str], read: Rule, parents: tuple[tuple[str, ...], ...]) -> str:
    """The first of ``options`` that may read the rows and see a parent row of each of
    ``parents`` it made; else one that may read; else the first."""
    return next(
        (r for r in options if passes(read, r) and sees(r, parents)),
        next((r for r in options if passes(read, r)), options[0] if options else ""),
    )


def action(
    rule: Rule,
    blueprint: Blueprint,
    read: Rule,
    preferred: str = "",
    parents: tuple[tuple[str, ...], ...] = (),
    *,
    reads: bool = True,
) -> ActionPlan:
    """Who acts under ``rule``: where the rule leaves a choice, a role that may read the
    rows (the tests read what they wrote) and see the parents the body names (a body
    may name only parent rows its sender sees)."""
    roles = list(blueprint.auth.roles)
    default = blueprint.auth.default_role
    candidates = [r for r in (preferred, default, *roles) if r]
    if rule.kind == "roles" and not reads:
        # The list tests log in with one of the list rule's own roles, one that sees the
        # rows' parents where it may (a list shows only rows under parents it sees).
        actor = next((r for r in rule.roles if sees(r, parents)), rule.roles[0])
    elif rule.kind == "roles":
        actor = _best(list(rule.roles), read, parents)
    elif rule.checks_owner:
        # An owner outside the exempt roles; one of those only where no owner outside
        # them sees the parents the body names.
        outside = [r for r in candidates if r not in rule.roles]
        fits = [r for r in (*outside, *rule.roles) if passes(read, r) and sees(r, parents)]
        actor = fits[0] if fits else (_best(outside, read, parents) if outside else rule.roles[0])
    else:
        actor = _best(candidates, read, parents)
    stranger = _first(candidates, rule.roles) if rule.checks_owner else ""
    hidden = (read.checks_owner and stranger not in read.roles) or (
        read.kind == "roles" and stranger not in read.roles
    )
    return ActionPlan(
        needs_user=rule.needs_user,
        actor=actor,
        denied=_first(roles, rule.roles) if rule.kind == "roles" else "",
        owner_scoped=rule.checks_owner,
        stranger=stranger,
        stranger_status=404 if hidden else 403,
        stranger_code="NOT_FOUND" if hidden else "FORBIDDEN",
        # An exempt role acts on others' rows only where it sees their parents.
        exempt=next((r for r in rule.roles if sees(r, parents)), "")
        if rule.kind == "owner_or_roles"
        else "",
        # Rules may let one role write and only others read (create: [clerk], read:
        # [auditor]): then one of those reads the row back.
        reader=actor if passes(read, actor) else _best(list(read.roles), read, parents),
    )


def passes(rule: Rule, role: str) -> bool:
    return (
        rule.kind in ("anyone", "authenticated", "owner")
        or role in rule.roles
        or (rule.kind == "owner_or_roles")
    )


def _parent_rule(blueprint: Blueprint, entity: Entity) -> Rule | None:
    """The nested parent's read rule, when it keeps some callers from some parents."""
    if not entity.nested_under or entity.nested_under == entity.name:
        return None
    rule = blueprint.entity(entity.nested_under).permissions["read"]
    return rule if rule.kind in ("roles", "owner", "owner_or_roles") else None


def nested_readers(blueprint: Blueprint, entity: Entity) -> tuple[tuple[str, ...], ...]:
    """The readers of the parent ``entity`` is nested under (none when not nested)."""
    if not entity.nested_under or entity.nested_under == entity.name:
        return ()
    return (row_readers(blueprint, blueprint.entity(entity.nested_under)),)


def behind_parent(plan: ActionPlan, blueprint: Blueprint, entity: Entity) -> ActionPlan:
    """``plan``, its stranger finding no row when the row's parent is out of its reach.

    The factories give a row an optional parent only when asked: a row under no parent
    is in everyone's reach, so its stranger gets what the row's own rules say.
    """
    parent = _parent_rule(blueprint, entity)
    if not plan.stranger or parent is None or plan.stranger in parent.roles:
        return plan
    if entity.nested_column and entity.table.column(entity.nested_column).nullable:
        return plan
    return replace(plan, stranger_status=404, stranger_code="NOT_FOUND")


def _sees_others_parents(blueprint: Blueprint, entity: Entity, role: str) -> bool:
    """Whether ``role`` sees the parents (up the chain ``entity`` is nested under) of a
    row another user made: the factories give each row parents of its own maker."""
    seen = {entity.name}
    parent = entity.nested_under
    while parent is not None and parent not in seen:
        seen.add(parent)
        current = blueprint.entity(parent)
        rule = current.permissions["read"]
        limited = rule.kind in ("roles", "owner_or_roles") and role not in rule.roles
        if rule.kind == "owner" or limited:
            return False
        parent = current.nested_under
    return True


def exempt_behind_parents(
    plan: ActionPlan, rule: Rule, blueprint: Blueprint, entity: Entity
) -> ActionPlan:
    """``plan``, its exempt role one that also sees the parents of others' rows (an
    exempt role acts on rows it did not make, under parents it did not make either)."""
    if not plan.exempt or _sees_others_parents(blueprint, entity, plan.exempt):
        return plan
    others = (r for r in rule.roles if _sees_others_parents(blueprint, entity, r))
    return replace(plan, exempt=next(others, ""))


def parent_stranger(blueprint: Blueprint, entity: Entity) -> str:
    parent = _parent_rule(blueprint, entity)
    if parent is None:
        return ""
    rules = entity.permissions
    candidates = [blueprint.auth.default_role, *blueprint.auth.roles]
    return next(
        (
            role
            for role in candidates
            if role not in parent.roles
            and passes(rules["list"], role)
            and passes(rules["read"], role)
        ),
        "",
    )


def list_owner(
    blueprint: Blueprint, rule: Rule, actor: str, parents: tuple[tuple[str, ...], ...]
) -> str:
    """``actor`` unless the list rule exempts it (it would list every row): then a role
    it does not exempt that sees the rows' parents; "" when there is none (no caller
    whose list the rule narrows to their own rows sees any row). Listing needs no read
    rule."""
    if not rule.checks_owner or actor not in rule.roles:
        return actor
    outside = [
        r for r in (blueprint.auth.default_role, *blueprint.auth.roles) if r not in rule.roles
    ]
    return next((r for r in outside if sees(r, parents)), "")


def row_readers(blueprint: Blueprint, entity: Entity) -> tuple[str, ...]:
    """The roles that see a row of ``entity`` they made: its read rule's, and those of the
    parents it is nested under; () when every role does."""
    roles = set(blueprint.auth.roles)
    seen: set[str] = set()
    current: Entity | None = entity
    while current is not None and current.name not in seen:
        seen.add(current.name)
        rule = current.permissions["read"]
        if rule.kind == "roles":
            roles &= set(rule.roles)
        parent = current.nested_under
        current = blueprint.entity(parent) if parent else None
    if roles == set(blueprint.auth.roles):
        return ()
    return tuple(role for role in blueprint.auth.roles if role in roles)
