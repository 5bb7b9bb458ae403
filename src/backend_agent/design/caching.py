"""Which cached entries each write makes stale: decided once, from the foreign keys.

A write invalidates whole entities (every cached row and page of them), never single
keys, so the rules stay short: a write changes its own entity; a delete also changes
the children it cascades to or nulls, their own cascaded children in turn, and the
rows linked to any of them through a junction; a link changes both of its sides.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend_agent.design.blueprint import Entity, Invalidation, Junction

__all__ = ["invalidations"]


def invalidations(
    entities: Sequence[Entity], junctions: Sequence[Junction]
) -> dict[str, Invalidation]:
    """Each entity's invalidation, by entity name; only cached entities are named in it."""
    by_table = {e.table.name: e for e in entities}
    cached = {e.name: e.plural for e in entities if e.cache is not None}

    def names(entity_names: set[str]) -> tuple[str, ...]:
        return tuple(sorted(cached[n] for n in entity_names if n in cached))

    def deleted_with(entity: Entity) -> set[str]:
        """``entity`` and every entity a delete of one of its rows changes."""
        changed: set[str] = set()
        deleted: set[str] = set()
        pending = [entity.name]
        while pending:
            name = pending.pop()
            if name in deleted:
                continue
            deleted.add(name)
            changed.add(name)
            for child in entities:
                for column in child.table.foreign_keys:
                    fk = column.foreign_key
                    parent = by_table.get(fk.table) if fk else None
                    if fk is None or parent is None or parent.name != name:
                        continue
                    if fk.on_delete == "CASCADE":
                        pending.append(child.name)
                    elif fk.on_delete == "SET NULL":
                        changed.add(child.name)
        linked = {
            other
            for j in junctions
            for side, other in ((j.left, j.right), (j.right, j.left))
            if side in changed
        }
        return changed | linked

    result = {}
    for entity in entities:
        links = tuple(
            (j.relation, names({j.left, j.right})) for j in junctions if j.left == entity.name
        )
        result[entity.name] = Invalidation(
            on_write=names({entity.name}),
            on_delete=names(deleted_with(entity)),
            on_link=tuple((relation, stale) for relation, stale in links if stale),
        )
    return result
