"""Field-level permissions: ``read: [roles]`` and ``write: [roles]`` on a field.

A field some roles may not read is absent from every response they get, so nothing
may reveal its values to them another way: it is never a filter, a sort key, searched,
grouped or measured by the stats, unique, or compared by a rule (each of those answers
differently for different values). Neither kind of field is ``required``:
a row whose creator may not set (or see) it takes its default, or null; and a
transition's state field is written by its transitions alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from backend_agent.errors import Problem
from backend_agent.spec.checks import did_you_mean
from backend_agent.spec.model import EntitySpec, FieldSpec, ServiceSpec
from backend_agent.spec.rules import parse_rule
from backend_agent.spec.source import Path, SourceMap

__all__ = ["check_field_access"]


def check_field_access(spec: ServiceSpec, source: SourceMap) -> list[Problem]:
    """A problem for each unknown role, and each use of a field that would show its
    values to a role that may not read it."""
    roles = list(spec.auth.roles)
    problems: list[Problem] = []
    for name, entity in spec.entities.items():
        for field_name, field in entity.fields.items():
            path: Path = ("entities", name, "fields", field_name)
            problems.extend(_check_roles(path, field, roles, source))
            if field.read is not None:
                problems.extend(_check_hidden(path, name, field_name, field, entity, source))
            if field.write is not None:
                problems.extend(_check_guarded(path, field_name, field, entity, source))
    return problems


def _check_roles(
    path: Path, field: FieldSpec, roles: list[str], source: SourceMap
) -> Iterator[Problem]:
    for key in ("read", "write"):
        for index, role in enumerate(getattr(field, key) or ()):
            if role not in roles:
                yield source.problem(
                    (*path, key, index),
                    f"'{key}' names '{role}', which is not one of the roles",
                    expected="one of " + ", ".join(roles),
                    suggestion=did_you_mean(role, roles),
                )


def _uses(entity: EntitySpec, field: str) -> Iterator[tuple[str, Path]]:
    """Each place of ``entity`` that answers by ``field``'s values: (what, where)."""
    for key in ("filters", "sort"):
        for index, item in enumerate(getattr(entity, key)):
            if item == field:
                yield f"in {key}", (key, index)
    if entity.search is not None and field in entity.search.fields:
        yield "searched", ("search",)
    if entity.aggregates is not None:
        for key in ("group_by", "measures"):
            for index, item in enumerate(getattr(entity.aggregates, key)):
                if item.split(":")[-1 if key == "measures" else 0] == field:
                    yield "in the stats", ("aggregates", key, index)
    for index, group in enumerate(entity.unique_together):
        if field in group:
            yield "unique together with others", ("unique_together", index)
    for index, text in enumerate(entity.rules):
        try:
            compared = parse_rule(text).fields
        except ValueError:
            continue  # check_rules reports it
        if field in compared:
            yield "compared by a rule", ("rules", index)


def _check_hidden(
    path: Path, entity_name: str, name: str, field: FieldSpec, entity: EntitySpec,
    source: SourceMap,
) -> Iterator[Problem]:  # fmt: skip
    readers = ", ".join(field.read or ())
    if field.required and field.write is None:
        yield source.problem(
            (*path, "required"),
            f"'{name}' is shown only to {readers}, so it cannot be required: everyone else "
            "would have to send a value they never see again",
            suggestion="drop required: rows take its default (or null) when it is not sent",
        )
    if field.unique:
        yield source.problem(
            (*path, "unique"),
            f"'{name}' is shown only to {readers}, so it cannot be unique: a duplicate's "
            "409 would tell anyone else the value exists",
            suggestion="drop unique, or read",
        )
    for what, where in _uses(entity, name):
        yield source.problem(
            ("entities", entity_name, *where),
            f"'{name}' is shown only to {readers}, so it cannot be {what}: the answers "
            "would tell anyone else its values",
            suggestion=f"leave '{name}' out, or drop its read",
        )
    if name in entity.transitions:
        yield source.problem(
            (*path, "read"),
            f"'{name}' is a state field: its transitions answer with it, so every caller "
            "who may move the row sees it",
            suggestion="drop read",
        )


def _check_guarded(
    path: Path, name: str, field: FieldSpec, entity: EntitySpec, source: SourceMap
) -> Iterator[Problem]:
    writers = ", ".join(field.write or ())
    if field.required:
        yield source.problem(
            (*path, "required"),
            f"'{name}' may be set only by {writers}, so it cannot be required of everyone "
            "who creates a row",
            suggestion="drop required: others' rows take its default (or null)",
        )
    if name in entity.transitions:
        yield source.problem(
            (*path, "write"),
            f"'{name}' is a state field: only its transitions write it",
            suggestion="drop write, and give the transitions their permissions",
        )
