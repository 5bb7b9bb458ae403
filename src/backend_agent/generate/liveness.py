"""Core expressions of which rows are live, through parents, for the repositories.

See ``backend_agent.design.visibility`` for what a soft delete means to the rows that
refer to the deleted one; this module writes it as SQLAlchemy Core the templates paste.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from backend_agent.design.blueprint import Blueprint, Entity
from backend_agent.design.visibility import children_of, hiding_relations
from backend_agent.generate.pyexpr import column_ref, py
from backend_agent.generate.tables import table_variable

__all__ = ["ChildView", "Liveness", "liveness"]


@dataclass(frozen=True)
class ChildView:
    """Rows of another table that refer to a softly deleted row."""

    table: str  # the expression of the child's table in the parent's repository
    column: str  # the foreign key column, as a Core expression
    key: str  # its name, as a Python literal
    live: tuple[str, ...]  # clauses: the child row is live


@dataclass(frozen=True)
class Liveness:
    """What a repository adds for parents and children."""

    parent_clauses: tuple[str, ...]  # visible() also needs these: the parents are live
    restricting: tuple[ChildView, ...]  # live children that forbid the soft delete
    nulled: tuple[ChildView, ...]  # children whose reference the soft delete clears
    modules: tuple[Entity, ...]  # entities whose model module the repository imports


def _table(entity: Entity, own: Entity) -> str:
    if entity.name == own.name:
        return table_variable(own)
    return f"table_of({entity.snake}_models.{entity.name})"


def _live(
    entity: Entity,
    own: Entity,
    entities: Mapping[str, Entity],
    seen: frozenset[str],
    used: dict[str, Entity],
) -> list[str]:
    """Clauses true of the live rows of ``entity``, written from ``own``'s repository."""
    used[entity.name] = entity
    table = _table(entity, own)
    clauses = [f"{table}.c.deleted_at.is_(None)"] if entity.soft_delete else []
    path = seen | {entity.name}
    for relation in hiding_relations(entity, entities, seen):
        parent = entities[relation.target]
        inner = _live(parent, own, entities, path, used)
        key = column_ref(table, relation.column or "")
        live_ids = f"select({_table(parent, own)}.c.id).where({', '.join(inner)})"
        clause = f"{key}.in_({live_ids})"
        if not relation.required:
            clause = f"or_({key}.is_(None), {clause})"
        clauses.append(clause)
    return clauses


def liveness(blueprint: Blueprint, entity: Entity) -> Liveness:
    """The parent clauses and child references of ``entity``'s repository."""
    entities = {e.name: e for e in blueprint.entities}
    used: dict[str, Entity] = {}
    own = [f"{table_variable(entity)}.c.deleted_at.is_(None)"] if entity.soft_delete else []
    parent_clauses = _live(entity, entity, entities, frozenset(), used)[len(own) :]
    restricting, nulled = [], []
    for reference in children_of(entity, blueprint.entities):
        child = reference.child
        used[child.name] = child
        table = _table(child, entity)
        if child.name == entity.name:
            # A row referring to its own table: the children are other rows of it.
            live = [f"{table}.c.deleted_at.is_(None)"]
        else:
            live = _live(child, entity, entities, frozenset({entity.name}), used)
        column = column_ref(table, reference.column)
        view = ChildView(table, column, py(reference.column), tuple(live))
        if reference.on_delete == "RESTRICT":
            restricting.append(view)
        elif reference.on_delete == "SET NULL":
            nulled.append(view)
    modules = tuple(e for name, e in sorted(used.items()) if name != entity.name)
    return Liveness(tuple(parent_clauses), tuple(restricting), tuple(nulled), modules)
