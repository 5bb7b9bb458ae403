"""Hypothesis strategies that draw service specs over the whole spec format, as YAML text.

``drawn_specs()`` draws a spec the loader should accept (every field type and option,
defaults of each type, every relation kind and ``on_delete``, ``nested_under`` chains,
relations to the entity itself and several to one entity, every permission form,
owners, soft delete, filters and sorts, caches, rate limits, jobs, auth options) with
names drawn to collide (``names.py``) and names at and past the database identifier
limit. ``mutated=True`` also damages some drawn specs, so the loader's refusals are
exercised. The YAML text itself is drawn (block or flow style, quoting, comments), so
the loader's line:column reporting runs on varied layouts.

Each drawn spec carries the features and name classes it contains, for the campaign's
coverage table.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from backend_agent.spec.checks import SHORTEST_MAX_LENGTH
from tests.strategies.names import ENTITY_NAMES, FIELD_NAMES, UNDER_REPAIR

__all__ = ["DRAWN", "SEED", "DrawnSpec", "drawn_specs", "to_yaml"]

# One seed for every test that draws specs, printed with each failure; set it to replay.
SEED = int(os.environ.get("BACKEND_AGENT_DRAW_SEED", "20261206"))
# The settings those tests share: no deadline (a spec renders a whole project), no
# example database, and no shrinking of a drawn spec (its text is the report).
DRAWN = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
    phases=[Phase.explicit, Phase.generate],
)

TYPES = (
    "string", "text", "integer", "decimal", "boolean", "date", "datetime", "enum", "uuid",
    "email", "url", "json",
)  # fmt: skip
_TEXTUAL = ("string", "text", "email", "url")
# Patterns with a value each matches, so a default can honour its field's pattern.
_PATTERNS = (("^[a-z]+$", "abc"), ("^[0-9]{3}$", "123"), ("^[A-Z][a-z0-9-]*$", "Ab-1"))
_ROLES = ("admin", "user", "editor", "reader", "member", "staff", "owner", "anyone", "none")
_RESERVED_COLUMNS = {"id", "created_at", "updated_at", "deleted_at", "owner_id"}
_RESERVED_ENTITIES = {"User", "Session", "RefreshToken", "AuditLog", "AuditLogEntry"}
_RESERVED_ENTITIES |= {"IdempotencyKey", "Job", "MailMessage"}


@dataclass
class DrawnSpec:
    """A drawn spec: its YAML text, the data it encodes, and what it exercises."""

    text: str
    data: dict[str, Any]
    features: set[str] = field(default_factory=set)
    mutated: bool = False


def _snake(name: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    return re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text).lower()


class _Drawer:
    """Draws one spec; ``features`` collects what it used."""

    def __init__(self, draw: st.DrawFn, *, under_repair: bool) -> None:
        self.draw = draw
        self.features: set[str] = set()
        self.skipped = frozenset() if under_repair else UNDER_REPAIR

    def note(self, *names: str) -> None:
        self.features.update(names)

    def field_name(self, taken: set[str]) -> str:
        # Long names are drawn rarely: most of them are refused, which ends the example.
        kind = self.draw(st.sampled_from([*FIELD_NAMES] * 4 + ["long"]))
        if kind == "long":
            # Around PostgreSQL's 63-byte limit, alone and inside derived names.
            size = self.draw(st.sampled_from([30, 40, 48, 52, 56, 60, 63]))
            name = "f" + self.draw(st.text("abcdefghij_", min_size=size - 1, max_size=size - 1))
        else:
            name = self.draw(st.sampled_from(FIELD_NAMES[kind]))
            if name in self.skipped:
                name = f"{name}_value"
        if name in taken or name in _RESERVED_COLUMNS or name.endswith("_"):
            name = f"{name.rstrip('_')}_{len(taken)}x"
        self.note(f"name:{kind}")
        taken.add(name)
        return name

    def entity_name(self, taken: set[str]) -> str:
        # Keywords (refused by the loader) rarely, so most drawn specs get past it.
        common = [k for k in ENTITY_NAMES if k != "python_keyword"]
        kind = self.draw(st.sampled_from(common * 4 + ["python_keyword", "long"]))
        if kind == "long":
            size = self.draw(st.sampled_from([20, 30, 40, 44, 48]))
            name = "E" + self.draw(st.text("abcdefghij", min_size=size - 1, max_size=size - 1))
        else:
            name = self.draw(st.sampled_from(ENTITY_NAMES[kind]))
            if name in self.skipped:
                name = f"{name}Item"
        if name in taken or name in _RESERVED_ENTITIES or _snake(name) in taken:
            name = f"{name}{len(taken)}X"
        self.note(f"entity_name:{kind}")
        taken.add(name)
        taken.add(_snake(name))
        return name

    # -- fields -----------------------------------------------------------------------

    def field_spec(self) -> dict[str, Any] | str:
        kind = self.draw(st.sampled_from(TYPES))
        self.note(f"type:{kind}")
        if kind != "enum" and self.draw(st.integers(0, 5)) == 0:
            self.note("field:shorthand")
            return kind
        spec: dict[str, Any] = {"type": kind}
        required = self.draw(st.booleans())
        nullable = not required and self.draw(st.booleans())
        if required:
            spec["required"] = True
        if nullable:
            spec["nullable"] = True
        if kind in _TEXTUAL:
            self._textual(spec, kind)
        elif kind in ("integer", "decimal"):
            self._numeric(spec, kind)
        elif kind == "enum":
            values = self.draw(
                st.lists(
                    st.sampled_from(
                        ["draft", "open", "true", "none", "null", "a b", "x-y", "1", "Été", "it's"]
                    ),
                    min_size=1,
                    max_size=4,
                    unique=True,
                )
            )
            spec["values"] = values
        if kind not in ("text", "json") and self.draw(st.integers(0, 4)) == 0:
            # A unique boolean or enum is refused by the loader (too few values for
            # many rows); index it instead.
            key = self.draw(st.sampled_from(["unique", "index"]))
            spec["index" if kind in ("boolean", "enum") else key] = True
            self.note("field:unique_or_index")
        if self.draw(st.booleans()):
            default = self.value_for(kind, spec)
            if default is not None:
                spec["default"] = default
                self.note(f"default:{kind}")
        if self.draw(st.integers(0, 3)) == 0:
            example = self.value_for(kind, spec)
            if example is not None:
                spec["example"] = example
                self.note("field:example")
        if self.draw(st.integers(0, 4)) == 0:
            spec["description"] = self.draw(st.sampled_from(['He said "hi"', "a\\b", "ünï"]))
        return spec

    def _textual(self, spec: dict[str, Any], kind: str) -> None:
        if self.draw(st.booleans()):
            low = self.draw(st.integers(0, 5))
            if low:
                spec["min_length"] = low
            # Short text columns hold few distinct values; email and url columns are
            # never narrower than the loader allows (room for an address or a link).
            narrowest = SHORTEST_MAX_LENGTH.get(kind, 2)
            short = st.integers(max(low, narrowest), max(low, narrowest, 7))
            spec["max_length"] = self.draw(st.integers(max(low, narrowest, 8), 300) | short)
            self.note("field:length_bounds")
        if kind == "string" and self.draw(st.integers(0, 3)) == 0:
            pattern, sample = self.draw(st.sampled_from(_PATTERNS))
            spec["pattern"] = pattern
            # With no example the generator samples the pattern itself, lengthened to
            # min_length; the example is only given when it is long enough.
            if self.draw(st.booleans()) and len(sample) >= spec.get("min_length", 0):
                spec["example"] = sample
            self.note("field:pattern")

    def _numeric(self, spec: dict[str, Any], kind: str) -> None:
        if kind == "decimal" and self.draw(st.booleans()):
            precision = self.draw(st.integers(3, 18))
            spec["precision"] = precision
            spec["scale"] = self.draw(st.integers(0, min(precision - 2, 6)))
            self.note("field:precision_scale")
        if self.draw(st.booleans()):
            low = self.draw(st.integers(-100, 50))
            spec["min"] = low
            if self.draw(st.booleans()):
                spec["max"] = self.draw(st.integers(low, 99) | st.integers(low + 999, 9999))
            self.note("field:min_max")

    def value_for(self, kind: str, spec: dict[str, Any]) -> Any:
        """A value that honours the field's type and constraints (or None for no value)."""
        low, high = spec.get("min"), spec.get("max")
        if kind == "string" and "pattern" in spec:
            sample = dict(_PATTERNS)[spec["pattern"]]
            return sample if len(sample) >= spec.get("min_length", 0) else None
        if kind in ("string", "text"):
            low_len = spec.get("min_length", 0)
            high_len = min(spec.get("max_length", 20), 20)
            return self.draw(
                st.text(
                    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Cn", "Co"]),
                    min_size=low_len,
                    max_size=max(low_len, high_len),
                )
            )
        if kind == "email":
            return "someone@example.com" if spec.get("max_length", 99) >= 19 else None
        if kind == "url":
            return "https://example.com/x" if spec.get("max_length", 99) >= 21 else None
        if kind == "integer":
            return self.draw(
                st.integers(low if low is not None else -1000, high if high is not None else 1000)
            )
        if kind == "decimal":
            scale = spec.get("scale", 2)
            whole = min(spec.get("precision", 12) - scale, 6)
            top = min(10**whole - 1, high if high is not None else 10**whole - 1)
            bottom = max(-(10**whole) + 1, low if low is not None else -(10**whole) + 1)
            units = self.draw(st.integers(bottom * 10**scale, top * 10**scale))
            number = Decimal(units).scaleb(-scale)
            form = self.draw(st.sampled_from(["number", "text"]))
            return str(number) if form == "text" or scale > 0 else int(number)
        if kind == "boolean":
            return self.draw(st.booleans())
        if kind == "date":
            day = self.draw(st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)))
            return day if self.draw(st.booleans()) else day.isoformat()
        if kind == "datetime":
            moment = self.draw(st.datetimes(dt.datetime(1970, 1, 2), dt.datetime(2100, 1, 1)))
            return moment.replace(microsecond=0).isoformat() + "Z"
        if kind == "enum":
            return self.draw(st.sampled_from(spec["values"]))
        if kind == "uuid":
            return str(self.draw(st.uuids()))
        return self.draw(
            st.sampled_from([{"a": 1}, [1, "two", None], "text", 3, True, {"nested": {"x": []}}])
        )


@st.composite
def _spec_data(
    draw: st.DrawFn, *, max_entities: int, under_repair: bool
) -> tuple[dict[str, Any], set[str]]:
    d = _Drawer(draw, under_repair=under_repair)
    data: dict[str, Any] = {"name": draw(st.sampled_from(["shop", "my-service", "x", "lib_2"]))}
    roles = draw(st.lists(st.sampled_from(_ROLES), min_size=1, max_size=4, unique=True))
    data["auth"] = _auth(d, roles)
    taken: set[str] = set()
    names = [d.entity_name(taken) for _ in range(draw(st.integers(1, max_entities)))]
    entities: dict[str, dict[str, Any]] = {name: {} for name in names}
    for index, name in enumerate(names):
        entities[name] = _entity(d, name, names[: index + 1], roles, entities)
    _has_many(d, entities)
    data["entities"] = entities
    if draw(st.booleans()):
        data["jobs"] = _jobs(d, entities)
    if draw(st.integers(0, 3)) == 0:
        data["rate_limits"] = _rate_limits(d)
    if draw(st.integers(0, 4)) == 0:
        # Sampled, not integers(1, ...): hypothesis favours the low end, and a page of one
        # row would then be drawn far more often than real specs ask for it. Pages shorter
        # than the generated tests' rows (1 to 6) are drawn too, and a largest page of
        # 1000, the most the spec allows.
        data["page_size"] = draw(st.sampled_from([20, 7, 50, 10, 1, 2, 3, 5, 6]))
        largest = data["page_size"] * draw(st.sampled_from([5, 1, 20]))
        data["max_page_size"] = min(largest, 1000)
        d.note("service:page_size")
        if data["page_size"] < 7:
            d.note("service:short_pages")
    if draw(st.integers(0, 3)) == 0:
        data["graphql"] = True
        d.note("service:graphql")
    if draw(st.integers(0, 3)) == 0:
        data["realtime"] = True
        d.note("service:realtime")
    return data, d.features


def _auth(d: _Drawer, roles: list[str]) -> dict[str, Any]:
    auth: dict[str, Any] = {"roles": roles}
    draw = d.draw
    if draw(st.booleans()):
        auth["default_role"] = draw(st.sampled_from(roles))
        d.note("auth:default_role")
    if draw(st.integers(0, 3)) == 0:
        auth["admin_role"] = draw(st.sampled_from(roles))
        d.note("auth:admin_role")
    if draw(st.booleans()):
        auth["token_ttl"] = draw(st.sampled_from(["30m", "1h", 600, "2d"]))
        auth["refresh_ttl"] = draw(st.sampled_from(["14d", "1d", 86400]))
        d.note("auth:ttl")
    if draw(st.booleans()):
        low = draw(st.integers(8, 128))
        auth["password_min_length"] = low
        auth["password_max_length"] = draw(st.integers(max(low, 64), 1024))
        auth["password_requires"] = draw(
            st.lists(
                st.sampled_from(["lowercase", "uppercase", "digit", "symbol"]),
                unique=True,
                max_size=4,
            )
        )
        d.note("auth:password_rules")
    if draw(st.booleans()):
        auth["lockout"] = {
            "attempts": draw(st.integers(1, 10)),
            "window": draw(st.sampled_from(["15m", "1h", 60])),
        }
        d.note("auth:lockout")
    if draw(st.booleans()):
        auth["rate_limit"] = draw(st.sampled_from(["5/minute", "100/hour", "1/second"]))
        d.note("auth:rate_limit")
    return auth


def _rate_limits(d: _Drawer) -> dict[str, str]:
    rates = st.sampled_from(["300/minute", "1/second", "10/hour", "5000/day"])
    limits = {key: d.draw(rates) for key in d.draw(st.sets(st.sampled_from(["read", "write"])))}
    d.note("rate_limits")
    return limits


def _entity(
    d: _Drawer,
    name: str,
    earlier: list[str],
    roles: list[str],
    entities: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    draw = d.draw
    taken: set[str] = set()
    fields = {d.field_name(taken): d.field_spec() for _ in range(draw(st.integers(1, 5)))}
    entity: dict[str, Any] = {"fields": fields}
    if draw(st.integers(0, 3)) == 0:
        entity["transitions"] = _state_machine(d, fields, taken, roles)
    relations: dict[str, Any] = {}
    # belongs_to only to entities drawn so far (itself included), so nesting has no loop.
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(earlier))
        kind = draw(st.sampled_from(["belongs_to", "belongs_to", "many_to_many"]))
        rel_name = d.field_name(taken | {f"{f}_id" for f in taken})
        rel: dict[str, Any] = {kind: target}
        if target == name:
            d.note("relation:self")
        if target in {r.get("belongs_to") or r.get("many_to_many") for r in relations.values()}:
            d.note("relation:same_target_twice")
        if kind == "belongs_to":
            optional = target == name or draw(st.booleans())
            if optional:
                rel["required"] = False
            choices = ["cascade", "restrict", *(["set_null"] if optional else []), None]
            on_delete = draw(st.sampled_from(choices))
            if on_delete:
                rel["on_delete"] = on_delete
                d.note(f"on_delete:{on_delete}")
        d.note(f"relation:{kind}")
        relations[rel_name] = rel
    if relations:
        entity["relations"] = relations
    owner = draw(st.booleans())
    if owner:
        entity["owner"] = True
        d.note("owner")
    parents = [
        r["belongs_to"] for r in relations.values() if r.get("belongs_to") not in (None, name)
    ]
    if parents and draw(st.booleans()):
        entity["nested_under"] = draw(st.sampled_from(parents))
        d.note("nested_under")
        if entities.get(entity["nested_under"], {}).get("nested_under"):
            d.note("nested_under:chain")
    if draw(st.booleans()):
        entity["permissions"] = _permissions(d, roles, owner=owner)
    if draw(st.integers(0, 2)) == 0:
        entity["soft_delete"] = True
        d.note("soft_delete" + ("+owner" if owner else ""))
    belongs = [r for r, spec in relations.items() if "belongs_to" in spec]
    if draw(st.integers(0, 4)) == 0:
        verbs = [
            v
            for v in ("archive", "renew", "x", "mark_2", "send_back")
            if v not in {*taken, *relations}
        ]
        chosen = draw(st.lists(st.sampled_from(verbs), min_size=1, max_size=2, unique=True))
        moves = {m for machine in entity.get("transitions", {}).values() for m in machine}
        actions: dict[str, Any] = {}
        for verb in (v for v in chosen if v not in moves):
            taken.add(verb)
            actions[verb] = (
                {"permission": draw(st.sampled_from(["authenticated", "anyone", [roles[0]]]))}
                if draw(st.booleans())
                else {}
            )
        if actions:
            entity["actions"] = actions
            d.note("actions")
    if draw(st.integers(0, 4)) == 0:
        entity["aggregates"] = _aggregates(d, fields, belongs)
    if draw(st.integers(0, 3)) == 0:
        entity["rules"] = _rules(d, fields, taken, entity.get("transitions", {}))
    if draw(st.integers(0, 4)) == 0 and (groups := _groups(d, fields, belongs)):
        entity["unique_together"] = groups
    # Not json fields: the loader refuses filtering or sorting by them.
    plain = [f for f, spec in fields.items() if _kind_of(spec) != "json"]
    filterable = [
        *plain,
        *belongs,
        *(f"{r}_id" for r in belongs),
        *(["owner_id"] if owner else []),
    ]
    if filterable and draw(st.booleans()):
        entity["filters"] = draw(st.lists(st.sampled_from(filterable), unique=True, max_size=4))
        for item in entity["filters"]:
            d.note(f"filter:{_kind_of(fields.get(item))}")
    if draw(st.booleans()):
        sortable = [*plain, "created_at", "updated_at"]
        entity["sort"] = draw(st.lists(st.sampled_from(sortable), unique=True, max_size=4))
        for item in entity["sort"]:
            d.note(f"sort:{_kind_of(fields.get(item))}")
    if draw(st.integers(0, 3)) == 0:
        entity["cache"] = draw(st.sampled_from(["60s", 30, {"ttl": "5m"}]))
        d.note("cache")
    if draw(st.integers(0, 3)) == 0:
        entity["rate_limits"] = _rate_limits(d)
    if draw(st.integers(0, 5)) == 0:
        entity["plural"] = draw(st.sampled_from(["items_list", "people", "data", "stuff"]))
        entity["plural"] += f"_{len(earlier)}"
        d.note("entity:plural")
    if draw(st.integers(0, 4)) == 0:
        entity["description"] = "An entity: with 'quotes' and # hash"
    if search := _search(d, fields):
        entity["search"] = search
    if draw(st.integers(0, 3)) == 0:
        entity["pagination"] = draw(st.sampled_from(["cursor", "cursor", "page"]))
        d.note(f"pagination:{entity['pagination']}")
    if draw(st.integers(0, 3)) == 0:
        _field_access(d, entity, fields, roles)
    return entity


def _field_access(
    d: _Drawer, entity: dict[str, Any], fields: dict[str, Any], roles: list[str]
) -> None:
    """``read`` and ``write`` roles on a field nothing else of the entity answers by (the
    loader refuses a hidden field in filters, sort, search, stats, rules or unique)."""
    draw = d.draw
    used = {*entity.get("filters", ()), *entity.get("sort", ()), *entity.get("transitions", {})}
    used |= set(_search_fields(entity.get("search")))
    used |= {part for key in ("group_by", "measures")
             for item in entity.get("aggregates", {}).get(key, ()) for part in item.split(":")}  # fmt: skip
    used |= {name for group in entity.get("unique_together", ()) for name in group}
    used |= {
        name for rule in entity.get("rules", ()) for name in re.findall(r"[a-z_][a-z0-9_]*", rule)
    }
    free = [
        f
        for f, spec in fields.items()
        if f not in used and not _unique(spec) and not _required(spec)
    ]
    if not free:
        return
    name = draw(st.sampled_from(free))
    spec = fields[name] if isinstance(fields[name], dict) else {"type": fields[name]}
    some = st.lists(st.sampled_from(roles), min_size=1, max_size=len(roles), unique=True)
    if draw(st.booleans()):
        spec["read"] = draw(some)
        d.note("field:read")
    if draw(st.booleans()):
        spec["write"] = draw(some)
        d.note("field:write")
    fields[name] = spec


def _search_fields(search: Any) -> list[str]:
    if isinstance(search, dict):
        return list(search.get("fields", ()))
    return list(search or ())


def _unique(spec: Any) -> bool:
    return isinstance(spec, dict) and spec.get("unique") is True


def _required(spec: Any) -> bool:
    return isinstance(spec, dict) and spec.get("required") is True


def _search(d: _Drawer, fields: dict[str, Any]) -> list[str] | dict[str, Any] | None:
    """Full-text search over one to three fields that hold words, in the shorthand or the
    full form, sometimes in a language other than English."""
    draw = d.draw
    words = [f for f, spec in fields.items() if _kind_of(spec) in _WORDS]
    if not words or draw(st.integers(0, 3)) != 0:
        return None
    chosen = draw(st.lists(st.sampled_from(words), min_size=1, max_size=3, unique=True))
    language = draw(st.sampled_from([None, None, "english", "simple", "french", "german"]))
    d.note("search" + (f":{language}" if language else ""))
    if language is None and draw(st.booleans()):
        return chosen
    return {"fields": chosen, **({"language": language} if language else {})}


_WORDS = ("string", "text", "email", "url", "enum")  # the types full-text search reads


# States with awkward spellings: words the YAML reads as other types, spaces, accents.
_STATES = ("draft", "open", "true", "none", "null", "a b", "x-y", "1", "Été", "it's", "paid")
_VERBS = ("approve", "close", "reopen", "x", "send_back", "mark_2", "publish", "set", "add")


def _state_machine(
    d: _Drawer, fields: dict[str, Any], taken: set[str], roles: list[str]
) -> dict[str, Any]:
    """An enum state field added to ``fields``, and 1 to 3 transitions between its values."""
    draw = d.draw
    values = draw(st.lists(st.sampled_from(_STATES), min_size=2, max_size=5, unique=True))
    state = d.field_name(taken)
    fields[state] = {"type": "enum", "values": values, "default": draw(st.sampled_from(values))}
    clocked = [
        f
        for f, spec in fields.items()
        if _kind_of(spec) in ("date", "datetime")
        and not (isinstance(spec, dict) and spec.get("required"))
    ]
    moves: dict[str, Any] = {}
    for verb in draw(st.lists(st.sampled_from(_VERBS), min_size=1, max_size=3, unique=True)):
        name = verb if verb not in taken else f"{verb}_{len(taken)}x"
        taken.add(name)
        to = draw(st.sampled_from(values))
        rest = [v for v in values if v != to]
        sources = draw(st.lists(st.sampled_from(rest), min_size=1, max_size=len(rest), unique=True))
        move: dict[str, Any] = {"from": sources[0] if len(sources) == 1 else sources, "to": to}
        if len(sources) > 1:
            d.note("transition:sources")
        if draw(st.booleans()):
            forms = st.sampled_from(["anyone", "authenticated"])
            roles_list = st.lists(st.sampled_from(roles), min_size=1, unique=True)
            move["permission"] = draw(st.one_of(forms, roles_list))
            d.note("transition:permission")
        if clocked and draw(st.booleans()):
            move["set"] = {draw(st.sampled_from(clocked)): "now"}
            d.note("transition:set_now")
        moves[name] = move
    d.note("transitions")
    return {state: moves}


_COMPARED = {"integer": "number", "decimal": "number", "date": "date", "datetime": "datetime"}


def _rules(
    d: _Drawer, fields: dict[str, Any], taken: set[str], machines: dict[str, Any]
) -> list[str]:
    """One to three rules: between two fields of a kind (a pair is added at times, so
    rules are drawn often), or a number field against a number, in either order."""
    draw = d.draw
    if draw(st.booleans()):
        kind = draw(st.sampled_from(sorted(_COMPARED)))
        for _ in range(2):
            spec: dict[str, Any] = {"type": kind}
            if draw(st.booleans()):
                spec["required"] = True
            if kind in ("integer", "decimal"):
                d._numeric(spec, kind)
            fields[d.field_name(taken)] = spec
    # A transition's ``set`` writes a field outside the request's values: left out.
    set_by_moves = {
        f for moves in machines.values() for m in moves.values() for f in m.get("set", {})
    }
    by_kind: dict[str, list[str]] = {}
    for name, spec in fields.items():
        if (kind := _COMPARED.get(_kind_of(spec))) and name not in set_by_moves:
            by_kind.setdefault(kind, []).append(name)
    rules: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["<", "<=", ">", ">="]))
        pairs = [names for names in by_kind.values() if len(names) >= 2]
        if pairs and draw(st.integers(0, 3)) > 0:
            left, right = draw(
                st.lists(
                    st.sampled_from(draw(st.sampled_from(pairs))),
                    min_size=2,
                    max_size=2,
                    unique=True,
                )
            )
            d.note("rule:fields")
        elif by_kind.get("number"):
            left, right = draw(st.sampled_from(by_kind["number"])), str(draw(st.integers(-5, 50)))
            d.note("rule:number")
            if draw(st.booleans()):
                left, right, op = right, left, {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
        else:
            continue
        space = draw(st.sampled_from([" ", "", "  "]))
        rules.append(f"{left}{space}{op}{space}{right}")
    if rules:
        d.note("rules")
    return list(dict.fromkeys(rules))


def _aggregates(d: _Drawer, fields: dict[str, Any], belongs: list[str]) -> dict[str, Any]:
    """Stats keys (fields, relations, periods of dates and timestamps) and measures."""
    draw = d.draw
    keys = ["created_at:month", *belongs]
    numbers: list[str] = []
    for name, spec in fields.items():
        kind = _kind_of(spec)
        if kind in ("enum", "boolean", "string", "integer", "date", "uuid", "email"):
            keys.append(name)
        if kind in ("date", "datetime"):
            keys.append(f"{name}:{draw(st.sampled_from(['day', 'month', 'year']))}")
        if kind in ("integer", "decimal"):
            numbers.append(name)
    chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True))
    measures = ["count"]
    for name in numbers:
        measures += draw(
            st.lists(st.sampled_from([f"sum:{name}", f"avg:{name}", f"min:{name}", f"max:{name}"]),
                     max_size=2, unique=True)
        )  # fmt: skip
    d.note("aggregates" + (":measures" if len(measures) > 1 else ""))
    return {"group_by": chosen, "measures": measures}


def _groups(d: _Drawer, fields: dict[str, Any], belongs: list[str]) -> list[list[str]]:
    """A group of two or three fields or relations unique together, with one of them a
    field of endless values or a relation."""
    draw = d.draw
    members = [f for f, spec in fields.items() if _kind_of(spec) != "json"] + belongs
    endless = [
        m for m in members if m in belongs or _kind_of(fields.get(m)) not in ("enum", "boolean")
    ]
    if len(members) < 2 or not endless:
        return []
    first = draw(st.sampled_from(endless))
    rest = draw(
        st.lists(
            st.sampled_from([m for m in members if m != first]), min_size=1, max_size=2, unique=True
        )
    )
    d.note("unique_together" + (":relation" if set(belongs) & {first, *rest} else ""))
    return [[first, *rest]]


def _kind_of(spec: Any) -> str:
    if spec is None:
        return "column"
    return spec if isinstance(spec, str) else str(spec["type"])


def _permissions(d: _Drawer, roles: list[str], *, owner: bool) -> dict[str, Any]:
    forms: list[Any] = ["anyone", "authenticated"]
    if owner:
        forms += ["owner", *(f"owner_or_{r}" for r in roles)]
    role_lists = st.lists(st.sampled_from(roles), min_size=1, max_size=len(roles), unique=True)
    result: dict[str, Any] = {}
    for action in d.draw(
        st.sets(st.sampled_from(["list", "read", "create", "update", "delete"]), min_size=1)
    ):
        value = d.draw(st.one_of(st.sampled_from(forms), role_lists))
        result[action] = value
        d.note("permission:" + ("roles" if isinstance(value, list) else value.split("_or_")[0]))
    if "list" in result and "read" in result and result["list"] != result["read"]:
        d.note("permission:list_read_differ")
    return result


def _has_many(d: _Drawer, entities: dict[str, dict[str, Any]]) -> None:
    """Add a has_many on a target that some entity belongs_to (the back reference)."""
    for name, entity in entities.items():
        for rel in list(entity.get("relations", {}).values()):
            target = rel.get("belongs_to")
            if target and target != name and d.draw(st.integers(0, 2)) == 0:
                back = entities[target].setdefault("relations", {})
                taken = set(entities[target]["fields"]) | set(back)
                taken |= {m for ms in entities[target].get("transitions", {}).values() for m in ms}
                taken |= {f"{f}_id" for f in taken}
                back[d.field_name(taken)] = {"has_many": name}
                d.note("relation:has_many")
                return


def _jobs(d: _Drawer, entities: dict[str, dict[str, Any]]) -> dict[str, Any]:
    events = ["user.registered"] + [
        f"{_snake(e)}.{what}" for e in entities for what in ("created", "updated", "deleted")
    ]
    # A state a transition moves rows to is an event too.
    events += [
        f"{_snake(e)}.{move['to']}"
        for e, spec in entities.items()
        for machine in spec.get("transitions", {}).values()
        for move in machine.values()
        if re.fullmatch(r"[a-z][a-z0-9_]*", move["to"])
    ]
    jobs: dict[str, Any] = {}
    taken: set[str] = set()
    for _ in range(d.draw(st.integers(1, 3))):
        job: dict[str, Any]
        if d.draw(st.booleans()):
            job = {"on": d.draw(st.sampled_from(events))}
            if d.draw(st.booleans()):
                job["delay"] = d.draw(st.sampled_from(["5s", 0, "1m"]))
            d.note("job:on")
        else:
            job = {"every": d.draw(st.sampled_from(["1m", "1h", 30, "1d"]))}
            d.note("job:every")
        if d.draw(st.booleans()):
            job["attempts"] = d.draw(st.integers(1, 100))
            job["backoff"] = d.draw(st.sampled_from(["1s", "2s", 10]))
            job["timeout"] = d.draw(st.sampled_from(["20s", "5m", 60]))
        jobs[d.field_name(taken)] = job
    return jobs


# -- the YAML text ------------------------------------------------------------------------


def _plain_ok(text: str) -> bool:
    """Whether ``text`` may be written unquoted and still read back as the same text."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_./-]*", text):
        return False
    try:
        return bool(yaml.safe_load(text) == text)
    except yaml.YAMLError:
        return False


def to_yaml(data: Any, style: st.DrawFn | None = None) -> str:
    """``data`` as YAML text; with ``style`` (a draw function) its layout is drawn."""

    def choose(options: list[Any]) -> Any:
        return style(st.sampled_from(options)) if style else options[0]

    def scalar(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            return "null"
        if isinstance(value, int | float | Decimal):
            return str(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value)
        if _plain_ok(text) and choose(["plain", "plain", "double", "single"]) == "plain":
            return text
        if choose(["double", "single"]) == "single" and "\n" not in text and "\\" not in text:
            return "'" + text.replace("'", "''") + "'"
        # Not ASCII escapes: YAML reads a "\\ud83d\\ude00" pair as two lone surrogates.
        return json.dumps(text, ensure_ascii=False)

    def flow(value: Any) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list | tuple):
            return "[" + ", ".join(flow(v) for v in value) + "]"
        return scalar(value)

    def block(value: Any, indent: int) -> list[str]:
        pad = " " * indent
        lines: list[str] = []
        if isinstance(value, dict):
            for key, item in value.items():
                comment = "  # note" if choose([False, False, True]) else ""
                if isinstance(item, dict | list) and item and choose(["block", "flow"]) == "block":
                    lines.append(f"{pad}{scalar(key)}:{comment}")
                    lines.extend(block(item, indent + 2))
                else:
                    lines.append(f"{pad}{scalar(key)}: {flow(item)}{comment}")
            return lines
        for item in value:
            if isinstance(item, dict) and item:
                inner = block(item, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {flow(item)}")
        return lines

    header = ["# a drawn spec"] if choose([False, True]) else []
    return "\n".join([*header, *block(data, 0), ""])


_JUNK = st.one_of(
    st.integers(-5, 5),
    st.sampled_from(["", "lots", "x" * 80, "Bad Name", "belongs_to", "5/fortnight", "-1s"]),
    st.just([]),
    st.just({}),
    st.none(),
    st.just({"unknown_key": 1}),
)


def _mutate(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """Replace one value somewhere in ``data`` with a drawn wrong one."""
    node: Any = data
    for _ in range(draw(st.integers(1, 6))):
        children = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not children:
            break
        key = draw(st.sampled_from(children))
        if not isinstance(node[key], dict | list) or draw(st.integers(0, 2)) == 0:
            node[key] = draw(_JUNK)
            return
        node = node[key]
    if isinstance(node, dict):
        node[draw(st.sampled_from(["colour", "fields", "on_delete", "type"]))] = draw(_JUNK)


@st.composite
def drawn_specs(
    draw: st.DrawFn, *, mutated: bool = False, max_entities: int = 4, under_repair: bool = True
) -> DrawnSpec:
    """A spec's YAML text with its data and features; some damaged when ``mutated``.

    ``under_repair=False`` leaves out the names in ``names.UNDER_REPAIR``.
    """
    data, features = draw(_spec_data(max_entities=max_entities, under_repair=under_repair))
    damaged = mutated and draw(st.integers(0, 3)) == 0
    if damaged:
        _mutate(draw, data)
        features.add("mutated")
    return DrawnSpec(to_yaml(data, draw), data, features, damaged)
