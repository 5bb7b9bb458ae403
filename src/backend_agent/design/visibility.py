"""Which rows a soft delete hides: a row is live only while the parents it needs are.

A soft delete is an UPDATE, so no foreign key fires. The service gives it the meaning
``on_delete`` gives a hard delete instead:

- ``cascade``: the children stay in their table but are hidden with their parent, in
  every read path (item, flat and nested lists, many-to-many lists), because each
  entity's notion of "live" includes its parents' (transitively);
- ``restrict``: the parent cannot be deleted while a live child refers to it (409),
  and a child of a parent hidden by its own parent is hidden too;
- ``set_null``: the children lose the reference and stay visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from backend_agent.design.blueprint import Entity, Relation

__all__ = ["ChildReference", "can_hide", "children_of", "hiding_relations"]

_HIDING = frozenset({"CASCADE", "RESTRICT"})


def hiding_relations(
    entity: Entity, entities: Mapping[str, Entity], seen: frozenset[str] = frozenset()
) -> tuple[Relation, ...]:
    """The belongs_to relations of ``entity`` whose target can hide rows.

    ``seen`` holds the entities already on the path, so cycles (an entity that belongs
    to itself, or two that belong to each other) end instead of recursing forever.
    """
    path = seen | {entity.name}
    return tuple(
        relation
        for relation in entity.relations
        if relation.kind == "belongs_to"
        and relation.column is not None
        and relation.on_delete in _HIDING
        and relation.target not in path
        and can_hide(entities[relation.target], entities, path)
    )


def can_hide(entity: Entity, entities: Mapping[str, Entity], seen: frozenset[str]) -> bool:
    """Whether some live-looking row of ``entity`` can be gone: deleted softly, or hidden."""
    return entity.soft_delete or bool(hiding_relations(entity, entities, seen))


@dataclass(frozen=True)
class ChildReference:
    """A foreign key of ``child`` to a softly deleted entity, and what its delete does."""

    child: Entity
    column: str
    on_delete: str  # CASCADE, SET NULL or RESTRICT


def children_of(entity: Entity, entities: Iterable[Entity]) -> tuple[ChildReference, ...]:
    """The references to ``entity`` that its soft delete must honour (none if it has none)."""
    if not entity.soft_delete:
        return ()
    return tuple(
        ChildReference(child, relation.column, relation.on_delete or "CASCADE")
        for child in entities
        for relation in child.relations
        if relation.kind == "belongs_to"
        and relation.target == entity.name
        and relation.column is not None
    )
