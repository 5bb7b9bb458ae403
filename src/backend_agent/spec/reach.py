"""Entities no role could ever create or change: refused, with the rules that shut
everyone out.

A create names each required parent row, and the service accepts only rows the caller
may read (a reference to anything else is "not found"). When no role that the create
rule admits may read every required parent, no row of the entity can ever be made
through the API: the spec contradicts itself, and the loader says where.

Likewise a row nested under a parent is changed, deleted or moved (a transition) only
by who may read that parent: when no role the action's rule admits (the spec's, or the
default one: the admin role where the entity has no owner) may read it, the action can
never succeed.

And a nested row is read or listed only by who may also read its parent: when no role
the entity's read (or list) rule admits may read the parent, no one ever sees a row.
"""

from __future__ import annotations

from collections.abc import Iterator

from backend_agent.errors import Problem
from backend_agent.spec.model import EntitySpec, ServiceSpec
from backend_agent.spec.source import SourceMap

__all__ = ["check_changeable", "check_creatable", "check_readable"]


def _admitted(rule: str | list[str] | None, roles: tuple[str, ...]) -> set[str]:
    """The roles a rule lets act on some row: a list of roles names them; every other
    rule (anyone, authenticated, owner, owner_or_<role>) admits every role."""
    return set(rule) if isinstance(rule, list) else set(roles)


def _readers(name: str, spec: ServiceSpec) -> set[str]:
    """The roles that may read rows of ``name``: its read rule's, and those of each
    parent it is nested under (a nested row is read only where its parent is)."""
    roles = spec.auth.roles
    readers = set(roles)
    seen: set[str] = set()
    current: str | None = name
    while current is not None and current not in seen and current in spec.entities:
        seen.add(current)
        entity = spec.entities[current]
        readers &= _admitted(entity.permissions.read, roles)
        current = entity.nested_under
    return readers


def _required_parents(entity: EntitySpec, name: str) -> list[tuple[str, str]]:
    """(relation, target) of each required belongs_to to another entity."""
    return [
        (relation, spec.target)
        for relation, spec in entity.relations.items()
        if spec.belongs_to and spec.required and spec.target != name
    ]


def check_creatable(spec: ServiceSpec, source: SourceMap) -> list[Problem]:
    """A problem for each entity whose create rule admits no role that may read every
    parent row a create must name."""
    roles = spec.auth.roles
    problems: list[Problem] = []
    for name, entity in spec.entities.items():
        parents = [(r, t) for r, t in _required_parents(entity, name) if t in spec.entities]
        if not parents:
            continue
        creators = _admitted(entity.permissions.create, roles)
        able = set(creators)
        for _relation, target in parents:
            able &= _readers(target, spec)
        if able:
            continue
        # The parent no creator may read; else (each is read by some creator, but none by
        # one creator alone) the first.
        blocking = next(
            ((r, t) for r, t in parents if not creators & _readers(t, spec)), parents[0]
        )
        relation, target = blocking
        readers = sorted(_readers(target, spec))
        who = ", ".join(sorted(creators))
        problems.append(
            source.problem(
                ("entities", name, "permissions", "create")
                if entity.permissions.create is not None
                else ("entities", name),
                f"no role may create a {name}: create admits {who}, and every {name} names "
                f"a {target} ('{relation}') that only {', '.join(readers) or 'no role'} may "
                "read (a create may name only rows its caller can read)",
                suggestion=f"let one role do both: add it to {name}'s create rule or to "
                f"{target}'s read rule",
                key=entity.permissions.create is None,
            )
        )
    return problems


def _nested(spec: ServiceSpec) -> Iterator[tuple[str, EntitySpec, str, set[str]]]:
    """(name, entity, parent, who may read the parent) of each entity nested under another."""
    for name, entity in spec.entities.items():
        parent = entity.nested_under
        if parent is not None and parent in spec.entities:
            yield name, entity, parent, _readers(parent, spec)


def check_readable(spec: ServiceSpec, source: SourceMap) -> list[Problem]:
    """A problem for each nested entity whose read or list rule admits no role that may
    read its parent."""
    roles = spec.auth.roles
    problems: list[Problem] = []
    for name, entity, parent, readers in _nested(spec):
        for action, rule in (("read", entity.permissions.read), ("list", entity.permissions.list)):
            admitted = _admitted(rule, roles)
            if rule is None or admitted & readers:
                continue  # no rule of its own: the parent's rule is the one to blame
            who = ", ".join(sorted(admitted))
            problems.append(
                source.problem(
                    ("entities", name, "permissions", action),
                    f"no role may {action} a {name}: {action} admits {who}, and every {name} "
                    f"is nested under a {parent} that only "
                    f"{', '.join(sorted(readers)) or 'no role'} may read",
                    suggestion=f"name a role that may read {parent} in {name}'s {action} rule, "
                    f"or add {who} to {parent}'s read rule",
                )
            )
    return problems


def _default_write(entity: EntitySpec, spec: ServiceSpec) -> str | list[str]:
    """The rule update and delete take when the spec gives none (see the design)."""
    admin = spec.auth.admin_role or ("admin" if "admin" in spec.auth.roles else None)
    if entity.owner or admin is None:
        return "authenticated"
    return [admin]


def check_changeable(spec: ServiceSpec, source: SourceMap) -> list[Problem]:
    """A problem for each action on a nested entity's rows (update, delete, a
    transition) that no role may both perform and reach, through the parent."""
    roles = spec.auth.roles
    problems: list[Problem] = []
    for name, entity, parent, readers in _nested(spec):
        default = _default_write(entity, spec)
        given = entity.permissions
        actions: list[tuple[str, str | list[str] | None, tuple[str | int, ...]]] = [
            ("update", given.update, ("permissions", "update")),
            ("delete", given.delete, ("permissions", "delete")),
        ]
        for verb, declared in entity.actions.items():
            rule = declared.permission
            place: tuple[str | int, ...] = ("actions", verb, "permission")
            actions.append((verb, rule if rule is not None else given.update, place))
        for state, machine in entity.transitions.items():
            for move, transition in machine.items():
                rule = transition.permission
                place = ("transitions", state, move, "permission")
                actions.append((move, rule if rule is not None else given.update, place))
        for action, rule, where in actions:
            admitted = _admitted(rule if rule is not None else default, roles)
            if admitted & readers:
                continue
            stated = rule is not None
            who = ", ".join(sorted(admitted))
            problems.append(
                source.problem(
                    ("entities", name, *where) if stated else ("entities", name),
                    f"no role may {action} a {name}: {action} admits {who}"
                    + ("" if stated else " (the default rule)")
                    + f", and every {name} is nested under a {parent} that only "
                    f"{', '.join(sorted(readers)) or 'no role'} may read",
                    suggestion=f"give {name} {_article(action)} rule naming a role that may read "
                    f"{parent}, or add {who} to {parent}'s read rule",
                    key=not stated,
                )
            )
    return problems


def _article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word
