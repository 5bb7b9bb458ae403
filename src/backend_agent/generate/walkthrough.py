"""The README's curl walkthrough: which resource it creates, as whom, and what it expects."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from urllib.parse import urlencode

from backend_agent.design.blueprint import Blueprint, Entity, Rule
from backend_agent.design.queries import list_filters
from backend_agent.generate.pyexpr import with_article
from backend_agent.generate.samples import body_value

__all__ = ["Walkthrough", "walkthrough"]


@dataclass(frozen=True)
class Walkthrough:
    """Everything the walkthrough substitutes."""

    collection: str  # /api/v1/posts
    label: str
    a_label: str
    plural_label: str
    editor_role: str  # may create the resource
    body: str  # shell-quoted JSON
    list_query: str  # ?limit=1&sort=...&status=...
    stranger_status: int  # what a freshly registered user gets when updating; 0 = allowed
    patch_body: str


def _stranger_status(rule: Rule, read: Rule, role: str) -> int:
    if rule.kind in ("anyone", "authenticated") or role in rule.roles:
        return 0
    if rule.kind == "roles":
        return 403
    hidden = (read.checks_owner or read.kind == "roles") and role not in read.roles
    return 404 if hidden else 403


def _root(blueprint: Blueprint) -> Entity:
    """The first entity that needs no parent row, so curl can create it directly."""
    for entity in blueprint.entities:
        if not any(f.required and f.column.foreign_key for f in entity.writable_fields):
            return entity
    return blueprint.entities[0]


def _body(entity: Entity) -> dict[str, object]:
    # Fields with a default are left out: the walkthrough shows the server filling them.
    return {
        field.name: body_value(field)
        for field in entity.writable_fields
        if field.column.foreign_key is None and (field.required or field.column.default is None)
    }


def walkthrough(blueprint: Blueprint) -> Walkthrough:
    """The walkthrough of ``blueprint``'s service."""
    entity = _root(blueprint)
    rules = entity.permissions
    create = rules["create"]
    roles = blueprint.auth.roles
    editor = create.roles[0] if create.roles else (blueprint.auth.admin_role or roles[0])
    first = _body(entity)
    query: list[tuple[str, object]] = [("limit", 1)]
    if not entity.keyset:  # a list paged by cursor starts without one
        query.append(("page", 1))
    if entity.sort:
        query.append(("sort", f"-{entity.sort[0]}"))
    for item in list_filters(entity):
        value = first.get(item.field)
        if item.op == "EQ" and isinstance(value, str | int) and not isinstance(value, bool):
            query.append((item.param, value))
            break
    patch_field = next(
        (k for k, v in first.items() if isinstance(v, str) and not entity.field(k).column.unique),
        None,
    )
    patch = {patch_field: first[patch_field]} if patch_field else {}
    return Walkthrough(
        collection=entity.collection_path,
        label=entity.title.lower(),
        a_label=with_article(entity.title.lower()),
        plural_label=entity.plural.replace("_", " "),
        editor_role=editor,
        body=shlex.quote(json.dumps(first)),
        list_query="?" + urlencode(query),
        stranger_status=_stranger_status(
            rules["update"], rules["read"], blueprint.auth.default_role
        ),
        patch_body=shlex.quote(json.dumps(patch)),
    )
