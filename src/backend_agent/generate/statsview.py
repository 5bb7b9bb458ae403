"""The view of an entity's stats (``aggregates``): its keys and measures as code."""

from __future__ import annotations

from dataclasses import dataclass

from backend_agent.design.blueprint import Entity
from backend_agent.generate.pyexpr import column_ref, py
from backend_agent.generate.tables import table_variable

__all__ = ["StatsView", "stats_view"]


@dataclass(frozen=True)
class StatsView:
    """What the repository, schema and route of ``GET .../stats`` substitute."""

    keys: tuple[str, ...]  # the group keys, as the query names them
    key_lines: tuple[tuple[str, str], ...]  # (key, its stats.Key(...))
    measure_lines: tuple[str, ...]  # stats.Measure(...) of each measure
    function: str  # the route's operation id: stats_sales


def stats_view(entity: Entity) -> StatsView | None:
    """The view of ``entity``'s stats, or ``None`` when it declares none."""
    stats = entity.aggregates
    if stats is None:
        return None
    table = table_variable(entity)
    key_lines = []
    for key in stats.keys:
        args = [column_ref(table, key.column)]
        if key.period is not None:
            args.append(py(key.period))
            if key.type == "datetime":
                args.append("moment=True")
        key_lines.append((key.text, f"stats.Key({', '.join(args)})"))
    measure_lines = []
    for measure in stats.measures:
        args = [py(measure.key), py(measure.function)]
        if measure.column is not None:
            args.append(column_ref(table, measure.column))
            if measure.type == "decimal":
                args.append(str(measure.scale))
        measure_lines.append(f"stats.Measure({', '.join(args)})")
    route = next(r.operation_id for r in entity.routes if r.action == "stats")
    return StatsView(
        keys=tuple(key.text for key in stats.keys),
        key_lines=tuple(key_lines),
        measure_lines=tuple(measure_lines),
        function=route,
    )
