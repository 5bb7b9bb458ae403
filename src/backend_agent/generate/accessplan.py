"""The generated tests of field-level permissions: for each field only some roles may
see (set), a role that may and one that may not, each acting on a row of its own."""

from __future__ import annotations

from dataclasses import dataclass

from backend_agent.design.blueprint import Blueprint, Entity, EntityField
from backend_agent.generate.actors import nested_readers, passes, sees
from backend_agent.generate.pyexpr import py
from backend_agent.generate.samples import body_value, row_value, value_source

__all__ = ["AccessCase", "access_cases"]


@dataclass(frozen=True)
class AccessCase:
    """One field some roles may not read (``kind`` "read") or set ("write")."""

    field: str
    kind: str
    roles: str  # every role that may, as the spec lists them: "admin, manager"
    allowed: str  # a role that may
    refused: str  # a role that may not
    value: str  # a Python literal of a valid JSON value of the field
    listed: bool = False  # (read) both roles list their own rows too
    changed: bool = False  # (read) both roles change their own rows too: If-Match holds
    shown: bool = False  # (write) the allowed role also sees the field
    # (write) Python source of a value a factory row holds, other than the default
    held: str = ""


def _fits(blueprint: Blueprint, entity: Entity, role: str, *actions: str) -> bool:
    """Whether ``role`` may do each of ``actions`` on a row it made, under parents it made."""
    rules = entity.permissions
    parents = nested_readers(blueprint, entity)
    return sees(role, parents) and all(passes(rules[action], role) for action in actions)


def _pair(
    blueprint: Blueprint, entity: Entity, roles: tuple[str, ...], *actions: str
) -> tuple[str, str] | None:
    """(a role among ``roles``, a role outside them), each fit for ``actions``; None if
    either has no candidate."""
    fit = [r for r in blueprint.auth.roles if _fits(blueprint, entity, r, *actions)]
    inside = next((r for r in fit if r in roles), None)
    outside = next((r for r in fit if r not in roles), None)
    return (inside, outside) if inside and outside else None


def _case(blueprint: Blueprint, entity: Entity, field: EntityField, kind: str) -> AccessCase | None:
    roles = field.read_roles if kind == "read" else field.write_roles
    assert roles is not None
    actions = ("read",) if kind == "read" else ("read", "update")
    pair = _pair(blueprint, entity, roles, *actions)
    if pair is None:
        return None
    allowed, refused = pair
    return AccessCase(
        field=field.name,
        kind=kind,
        roles=", ".join(roles),
        allowed=allowed,
        refused=refused,
        value=py(body_value(field)),
        listed=kind == "read"
        and all(passes(entity.permissions["list"], r) for r in pair)
        and any(route.action == "list" for route in entity.routes),
        changed=kind == "read" and all(passes(entity.permissions["update"], r) for r in pair),
        shown=field.shown_to(allowed),
        held=_held(field) if kind == "write" else "",
    )


def _held(field: EntityField) -> str:
    """Python source of a sample value of ``field`` that is not its default."""
    others = (n for n in range(3) if row_value(field, n, json=True) != field.column.default)
    return value_source(row_value(field, next(others, 0)))


def access_cases(blueprint: Blueprint, entity: Entity) -> tuple[AccessCase, ...]:
    """A case for each limit on a field of ``entity`` that two of the roles can show."""
    cases = []
    for field in entity.fields:
        for kind, roles in (("read", field.read_roles), ("write", field.write_roles)):
            if roles is not None and (case := _case(blueprint, entity, field, kind)):
                cases.append(case)
    return tuple(cases)
