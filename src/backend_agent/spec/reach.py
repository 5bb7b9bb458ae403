"""Entities no role could ever create: refused, with the rules that shut everyone out.

A create names each required parent row, and the service accepts only rows the caller
may read (a reference to anything else is "not found"). When no role that the create
rule admits may read every required parent, no row of the entity can ever be made
through the API: the spec contradicts itself, and the loader says where.
"""

from __future__ import annotations

from backend_agent.errors import Problem
from backend_agent.spec.model import EntitySpec, ServiceSpec
from backend_agent.spec.source import SourceMap

__all__ = ["check_creatable"]


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
