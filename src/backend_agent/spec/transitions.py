"""State machines in a spec: each transition checked against its entity.

A transition moves an enum field (its *state field*) from one of its ``from`` states to
its ``to`` state; it becomes ``POST /api/v1/<plural>/{id}/<name>``. The state field is
then written only by transitions, so it needs a default (the state new rows start in),
and every name a transition uses must fit beside the entity's other routes.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterator
from typing import Any

from backend_agent.errors import Problem
from backend_agent.spec.checks import check_permission, did_you_mean
from backend_agent.spec.model import ACTIONS, EntitySpec, FieldSpec, ServiceSpec
from backend_agent.spec.naming import plural, snake
from backend_agent.spec.source import Path, SourceMap
from backend_agent.spec.values import normalise_value

__all__ = ["NOW", "check_actions", "check_transitions"]

# ``set: {paid_at: now}``: the time (or date) the transition happens.
NOW = "now"
# Route names an entity already uses beside its transitions: its CRUD actions' names.
_TAKEN = frozenset({*ACTIONS, "get", "replace"})
_CLOCKED = frozenset({"date", "datetime"})


def check_transitions(spec: ServiceSpec, source: SourceMap) -> list[Problem]:
    """A problem for each state field or transition that cannot be served as declared."""
    problems: list[Problem] = []
    for name, entity in spec.entities.items():
        children = _children(spec, name)
        problems.extend(_check_entity(name, entity, children, list(spec.auth.roles), source))
    return problems


def _children(spec: ServiceSpec, name: str) -> set[str]:
    """The collections nested under ``name``: their routes sit beside its transitions."""
    return {
        other.plural or plural(snake(child))
        for child, other in spec.entities.items()
        if other.nested_under == name
    }


def _check_entity(
    name: str, entity: EntitySpec, children: set[str], roles: list[str], source: SourceMap
) -> Iterator[Problem]:
    base: Path = ("entities", name, "transitions")
    seen: dict[str, str] = {}
    for state, machine in entity.transitions.items():
        field = entity.fields.get(state)
        if field is None:
            yield source.problem(
                (*base, state),
                f"transitions name '{state}', which is not a field of '{name}'",
                expected="an enum field of " + name,
                suggestion=did_you_mean(state, list(entity.fields)),
                key=True,
            )
            continue
        yield from _check_state_field(name, state, field, (*base, state), source)
        values = list(field.values or ())
        for move_name, move in machine.items():
            path: Path = (*base, state, move_name)
            if move_name in seen:
                yield source.problem(
                    path,
                    f"transition '{move_name}' is also a transition of '{seen[move_name]}': "
                    "each names one route",
                    key=True,
                )
            seen[move_name] = state
            yield from _check_name(name, entity, move_name, children, path, source)
            if values:
                yield from _check_states(state, values, move.sources, move.to, path, source)
            if move.permission is not None:
                where = ("entities", name, "transitions", state, move_name, "permission")
                yield from check_permission(
                    where, move.permission, roles, owner=entity.owner, source=source
                )
            for target, value in move.set.items():
                yield from _check_set(entity, target, value, (*path, "set", target), source)


# Names a handler cannot take: Python's keywords and the hooks' own names.
_NOT_HANDLERS = frozenset(
    {
        *keyword.kwlist,
        "before_create",
        "after_create",
        "before_update",
        "after_update",
        "before_delete",
        "before_transition",
        "after_transition",
    }
)


def check_actions(spec: ServiceSpec, source: SourceMap) -> list[Problem]:
    """A problem for each custom action whose route or handler cannot be made."""
    problems: list[Problem] = []
    for name, entity in spec.entities.items():
        children = _children(spec, name)
        moves = {move for machine in entity.transitions.values() for move in machine}
        for action, declared in entity.actions.items():
            path: Path = ("entities", name, "actions", action)
            problems.extend(_check_name(name, entity, action, children, path, source, "action"))
            if action in moves:
                problems.append(
                    source.problem(
                        path,
                        f"action '{action}' and a transition of '{name}' share a route",
                        key=True,
                    )
                )
            if action in _NOT_HANDLERS:
                problems.append(
                    source.problem(
                        path,
                        f"action '{action}' cannot name its handler: it is a Python keyword "
                        "or a hook's name",
                        suggestion="choose another verb",
                        key=True,
                    )
                )
            if declared.permission is not None:
                problems.extend(
                    check_permission(
                        ("entities", name, "actions", action, "permission"),
                        declared.permission,
                        list(spec.auth.roles),
                        owner=entity.owner,
                        source=source,
                    )
                )
    return problems


def _check_state_field(
    entity: str, state: str, field: FieldSpec, path: Path, source: SourceMap
) -> Iterator[Problem]:
    if field.type != "enum":
        yield source.problem(
            path,
            f"'{state}' is a {field.type} field: a state machine moves an enum field",
            suggestion=f"declare '{state}' as {{type: enum, values: [...]}}",
            key=True,
        )
    elif field.default is None:
        yield source.problem(
            path,
            f"state field '{state}' needs a default: the state a new {entity} starts in "
            "(clients never write it; its transitions do)",
            suggestion=f"add default: {(field.values or ('...',))[0]} to the field",
            key=True,
        )
    if field.required:
        yield source.problem(
            path,
            f"state field '{state}' cannot be required: its transitions write it, not clients",
            suggestion="drop required from the field",
            key=True,
        )


def _check_name(
    entity: str,
    spec: EntitySpec,
    move: str,
    children: set[str],
    path: Path,
    source: SourceMap,
    kind: str = "transition",
) -> Iterator[Problem]:
    if move in _TAKEN:
        yield source.problem(
            path,
            f"{kind} name '{move}' is one of the entity's own operations",
            expected="a verb other than " + ", ".join(sorted(_TAKEN)),
            key=True,
        )
    elif move in spec.relations:
        yield source.problem(
            path,
            f"{kind} '{move}' and the relation '{move}' of '{entity}' would share a route",
            suggestion="rename one of them",
            key=True,
        )
    elif move in children:
        yield source.problem(
            path,
            f"{kind} '{move}' and the collection '{move}' nested under '{entity}' would "
            "share a route",
            suggestion=f"rename the {kind}",
            key=True,
        )


def _check_states(
    state: str,
    values: list[str],
    sources: tuple[str, ...],
    to: str,
    path: Path,
    source: SourceMap,
) -> Iterator[Problem]:
    named = [("from", index, value) for index, value in enumerate(sources)]
    for key, index, value in [*named, ("to", None, to)]:
        if value not in values:
            where: Path = (
                (*path, key) if index is None or len(sources) == 1 else (*path, key, index)
            )
            yield source.problem(
                where,
                f"'{value}' is not a value of '{state}'",
                expected="one of " + ", ".join(values),
                suggestion=did_you_mean(value, values),
            )
    if to in sources:
        yield source.problem(
            (*path, "to"),
            f"the transition starts from '{to}', the state it moves to: it would change nothing",
            suggestion=f"drop '{to}' from 'from'",
        )


def _check_set(
    entity: EntitySpec, name: str, value: Any, path: Path, source: SourceMap
) -> Iterator[Problem]:
    field = entity.fields.get(name)
    if field is None:
        yield source.problem(
            path,
            f"set names '{name}', which is not a field of the entity",
            suggestion=did_you_mean(name, list(entity.fields)),
            key=True,
        )
        return
    if name in entity.transitions:
        yield source.problem(
            path,
            f"'{name}' is a state field: only its own transitions move it",
            key=True,
        )
    elif value == NOW and field.type not in _CLOCKED:
        yield source.problem(
            path, f"'now' sets a date or datetime field; '{name}' is a {field.type} field"
        )
    elif value is None and not (field.nullable or (not field.required and field.default is None)):
        yield source.problem(
            path, f"'{name}' cannot be null", suggestion="make the field nullable: true"
        )
    elif value is not None and value != NOW:
        try:
            normalise_value(field, value)
        except ValueError as exc:
            yield source.problem(path, f"set '{name}': {exc}")
