"""The plans of the generated tests of row operations beyond CRUD: transitions (who moves a
row, from where, and what then) and custom actions (who runs one, and what others get)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backend_agent.design.blueprint import Entity, Rule, Transition
from backend_agent.generate.pyexpr import py

if TYPE_CHECKING:
    from backend_agent.generate.actors import ActionPlan

__all__ = ["CustomPlan", "TransitionPlan", "custom_plans", "transition_plans"]

# Field types whose value the response shows as the spec wrote it (py() == JSON).
_PLAIN = frozenset({"string", "text", "email", "url", "enum", "integer", "boolean"})


@dataclass(frozen=True)
class TransitionPlan:
    """The tests of one transition."""

    name: str  # pay: the route's last segment
    function: str  # pay_order: the tests' names
    field: str
    sources: tuple[str, ...]
    target: str
    action: ActionPlan  # who may move a row, and what others get
    reader: str  # who reads the row's ETag
    stamped: tuple[str, ...]  # datetime fields set to the time of the move
    dated: tuple[str, ...]  # date fields set to its date
    fixed: tuple[tuple[str, str], ...]  # (field, Python literal of the JSON value it is set to)
    event: str  # the job event queued with each move, or ""


def _fixed(entity: Entity, move: Transition) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, py(value))
        for name, value in move.values
        if value is None or entity.table.column(name).type in _PLAIN
    )


def transition_plans(
    entity: Entity,
    queues: Callable[[str], bool],
    acting: Callable[[Rule], tuple[ActionPlan, str]],
) -> tuple[TransitionPlan, ...]:
    """The plans of ``entity``'s transitions; ``queues`` tells whether a job runs on an
    event, ``acting`` picks who moves a row under a rule and who reads it back."""
    plans = []
    for move in entity.transitions:
        action, reader = acting(move.rule)
        operation = next(r.operation_id for r in entity.routes if r.transition == move.name)
        plans.append(
            TransitionPlan(
                name=move.name,
                function=operation,
                field=move.field,
                sources=move.sources,
                target=move.target,
                action=action,
                reader=reader,
                stamped=move.now,
                dated=move.today,
                fixed=_fixed(entity, move),
                event=move.event if queues(move.event) else "",
            )
        )
    return tuple(plans)


@dataclass(frozen=True)
class CustomPlan:
    """The tests of one custom action."""

    name: str  # archive: the route's last segment and the handler's name
    function: str  # archive_ticket: the tests' names
    action: ActionPlan  # who may run it, and what others get


def custom_plans(
    entity: Entity, acting: Callable[[Rule], tuple[ActionPlan, str]]
) -> tuple[CustomPlan, ...]:
    """The plans of ``entity``'s custom actions, in spec order."""
    operations = {r.custom: r.operation_id for r in entity.routes if r.custom}
    return tuple(
        CustomPlan(action.name, operations[action.name], acting(action.rule)[0])
        for action in entity.actions
    )
