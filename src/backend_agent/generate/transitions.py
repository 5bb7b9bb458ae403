"""View models of an entity's transitions: the names and expressions its modules need."""

from __future__ import annotations

from dataclasses import dataclass

from backend_agent.design.blueprint import Blueprint, Entity, Transition
from backend_agent.design.openapi import transition_extension
from backend_agent.generate.fields import value_expr
from backend_agent.generate.pyexpr import py, with_article

__all__ = ["TransitionView", "transition_views"]


@dataclass(frozen=True)
class TransitionView:
    """One transition: its route's function, its rule's key and its ``Transition(...)``."""

    name: str  # the rule's key in RULES, and the key in TRANSITIONS
    function: str  # place_order: the route's and the service's function
    field: str
    sources: str  # a tuple literal: ("draft", "placed")
    target: str
    label: str  # order
    values: str  # the dict literal of the other fields it sets, or "" for none
    event: str  # the job event it queues, or "" when no job runs on it
    doc: str  # "Move an order from draft to placed"
    extension: str  # the route's openapi_extra: the x-transition the design documents


def _values(entity: Entity, move: Transition) -> str:
    """``{"paid_at": utcnow()}``: what a transition sets besides its state, when it runs."""
    items = [f"{py(name)}: utcnow()" for name in move.now]
    items += [f"{py(name)}: utcnow().date()" for name in move.today]
    items += [f"{py(name)}: {value_expr(entity.table.column(name), v)}" for name, v in move.values]
    return "{" + ", ".join(items) + "}" if items else ""


def transition_views(blueprint: Blueprint, entity: Entity) -> tuple[TransitionView, ...]:
    """The views of ``entity``'s transitions, in spec order."""
    operations = {r.transition: r.operation_id for r in entity.routes if r.transition}
    label = entity.title.lower()
    views = []
    for move in entity.transitions:
        views.append(
            TransitionView(
                name=move.name,
                function=operations[move.name],
                field=move.field,
                sources=py(move.sources),
                target=move.target,
                label=label,
                values=_values(entity, move),
                event=move.event if blueprint.queues(move.event) else "",
                doc=f"Move {with_article(label)} from {' or '.join(move.sources)} to {move.target}",
                extension=py(transition_extension(move)),
            )
        )
    return tuple(views)
