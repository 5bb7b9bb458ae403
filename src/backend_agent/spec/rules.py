"""Rules every row obeys, and groups of fields unique together, checked against the spec.

A rule compares two fields of one row (``ends_at > starts_at``, ``discount <= price``)
or a number field with a number (``rating >= 1``). Fields compared with each other are
both numbers (integer or decimal), both dates or both datetimes. A rule with a null
side holds, as a database CHECK does. A comparison with a number is a bound of the
field: the design folds it into the field's minimum or maximum, so the API documents it.

The rules of an entity must be able to hold together, within the fields' own bounds:
``a < b`` with ``b < a`` is refused, and so is ``price < cost`` when ``price`` is at
most 10 and ``cost`` at least 20. ``data_bounds`` narrows each field's range to the
values that leave room for the others (the range test data is drawn from); a range it
empties is a contradiction.

``unique_together`` names fields, belongs_to relations or ``owner`` (of an owned
entity); each group needs at least two names and something whose values can vary
without end (not only enums and booleans).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, Literal

from backend_agent.errors import Problem
from backend_agent.spec.checks import did_you_mean
from backend_agent.spec.model import EntitySpec, FieldSpec, ServiceSpec
from backend_agent.spec.source import Path, SourceMap
from backend_agent.spec.values import DEFAULT_PRECISION, DEFAULT_SCALE

__all__ = [
    "COMPARE",
    "OPERATORS",
    "Operator",
    "RowRule",
    "Span",
    "check_rules",
    "data_bounds",
    "field_bounds",
    "narrow",
    "parse_rule",
    "rules_of",
    "unit",
]

Operator = Literal["<", "<=", ">", ">="]
OPERATORS: tuple[Operator, ...] = ("<", "<=", ">", ">=")
_FLIPPED: dict[Operator, Operator] = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NAME = r"[a-z][a-z0-9_]*"
_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
_RULE = re.compile(
    rf"^\s*(?P<left>{_NAME}|{_NUMBER})\s*(?P<op><=|>=|<|>)\s*(?P<right>{_NAME}|{_NUMBER})\s*$"
)
_EQUALITY = re.compile(r"==|!=|<>|(?<![<>])=")
_FORM = "a comparison such as 'ends_at > starts_at' or 'rating <= 5' (with <, <=, > or >=)"
# Field types a rule may compare, by the kind they compare with.
_KINDS = {"integer": "number", "decimal": "number", "date": "date", "datetime": "datetime"}
# Fields unique in a group need one whose values never run out.
_ENDLESS = frozenset(
    {"string", "text", "email", "url", "integer", "decimal", "date", "datetime", "uuid"}
)
INTEGER_RANGE = (Decimal(-(2**31)), Decimal(2**31 - 1))


@dataclass(frozen=True)
class RowRule:
    """``left op right``: ``left`` a field; ``right`` a field or a number."""

    left: str
    op: Operator
    right: str | Decimal

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the rule compares."""
        return (self.left,) if isinstance(self.right, Decimal) else (self.left, self.right)

    @property
    def text(self) -> str:
        """The rule in its normal form: ``ends_at > starts_at``."""
        return f"{self.left} {self.op} {self.right}"

    def ordered(self) -> tuple[str, str, bool]:
        """Between two fields: (lesser, greater, strict), so the rule says lesser < greater."""
        assert isinstance(self.right, str)
        strict = self.op in ("<", ">")
        if self.op in ("<", "<="):
            return self.left, self.right, strict
        return self.right, self.left, strict


def parse_rule(text: str) -> RowRule:
    """The rule ``text`` states; ``ValueError`` saying what is wrong otherwise."""
    match = _RULE.match(text)
    if match is None:
        if _EQUALITY.search(text):
            raise ValueError(f"'{text}' tests equality: a rule orders two values, {_FORM}")
        raise ValueError(f"'{text}' is not {_FORM}")
    left, op, right = match["left"], _operator(match["op"]), match["right"]
    numbers = [re.fullmatch(_NUMBER, side) is not None for side in (left, right)]
    if all(numbers):
        raise ValueError(f"'{text}' compares two numbers: a rule names at least one field")
    if numbers[0]:
        left, op, right = right, _FLIPPED[op], left
    return RowRule(left, op, Decimal(right) if any(numbers) else right)


def _operator(text: str) -> Operator:
    return next(op for op in OPERATORS if op == text)


def unit(field: FieldSpec) -> Decimal:
    """The smallest step between two values of a number field."""
    if field.type == "integer":
        return Decimal(1)
    return Decimal(1).scaleb(-(field.scale if field.scale is not None else DEFAULT_SCALE))


def field_bounds(
    field: FieldSpec, rules: tuple[RowRule, ...], name: str
) -> tuple[Decimal, Decimal]:
    """The values a number field may take: its type, its min and max, and the rules
    comparing it with a number, each rounded to the field's step."""
    step = unit(field)
    if field.type == "integer":
        low, high = INTEGER_RANGE
    else:
        precision = field.precision or DEFAULT_PRECISION
        scale = field.scale if field.scale is not None else DEFAULT_SCALE
        high = Decimal(10) ** (precision - scale) - step
        low = -high
    if field.min is not None:
        low = max(low, _up(field.min, step))
    if field.max is not None:
        high = min(high, _down(field.max, step))
    for rule in rules:
        if rule.left != name or not isinstance(rule.right, Decimal):
            continue
        bound = rule.right
        if rule.op == ">":
            low = max(low, _down(bound, step) + step)
        elif rule.op == ">=":
            low = max(low, _up(bound, step))
        elif rule.op == "<":
            high = min(high, _up(bound, step) - step)
        else:
            high = min(high, _down(bound, step))
    return low, high


def _up(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


def _down(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_FLOOR) * step


# A number field's range and step: (least, greatest, step).
Span = tuple[Decimal, Decimal, Decimal]


def narrow(spans: dict[str, Span], pairs: list[tuple[str, str, bool]]) -> dict[str, Span] | None:
    """``spans`` narrowed so each (lesser, greater, strict) pair between two of them can
    hold: ``a < b`` raises ``b``'s least value above ``a``'s and lowers ``a``'s greatest
    below ``b``'s. ``None`` when the pairs contradict each other or the spans (pairs
    naming fields without a span only take part in the cycle check)."""
    if _strict_cycle(pairs):
        return None
    spans = dict(spans)
    for _ in range(len(spans) + 1):
        changed = False
        for lesser, greater, strict in pairs:
            if lesser not in spans or greater not in spans:
                continue
            (low_a, high_a, step_a), (low_b, high_b, step_b) = spans[lesser], spans[greater]
            gap = min(step_a, step_b) if strict else Decimal(0)
            new_b = (max(low_b, _up(low_a + gap, step_b)), high_b, step_b)
            new_a = (low_a, min(high_a, _down(high_b - gap, step_a)), step_a)
            if new_a != spans[lesser] or new_b != spans[greater]:
                spans[lesser], spans[greater], changed = new_a, new_b, True
        if not changed:
            break
    if any(low > high for low, high, _ in spans.values()):
        return None
    return spans


def data_bounds(entity: EntitySpec, rules: tuple[RowRule, ...]) -> dict[str, Span] | None:
    """The spans of the entity's compared number fields, narrowed by its rules between
    fields; ``None`` when the rules contradict each other or the bounds."""
    pairs = [rule.ordered() for rule in rules if isinstance(rule.right, str)]
    spans = {
        name: (*field_bounds(entity.fields[name], rules, name), unit(entity.fields[name]))
        for pair in pairs
        for name in pair[:2]
        if _KINDS.get(entity.fields[name].type) == "number"
    }
    return narrow(spans, pairs)


def _strict_cycle(pairs: list[tuple[str, str, bool]]) -> bool:
    """Whether some field must be less than itself: a cycle of rules with a strict one."""
    later: dict[str, set[str]] = {}
    for lesser, greater, _ in pairs:
        later.setdefault(lesser, set()).add(greater)

    def reaches(start: str, goal: str) -> bool:
        seen, todo = {start}, [start]
        while todo:
            for nxt in later.get(todo.pop(), ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    return any(strict and reaches(greater, lesser) for lesser, greater, strict in pairs)


def check_rules(spec: ServiceSpec, source: SourceMap) -> list[Problem]:
    """A problem for each rule or unique group that cannot be served as declared."""
    problems: list[Problem] = []
    for name, entity in spec.entities.items():
        problems.extend(_check_rules(name, entity, source))
        problems.extend(_check_groups(name, entity, source))
    return problems


def _check_rules(name: str, entity: EntitySpec, source: SourceMap) -> Iterator[Problem]:
    parsed: list[RowRule] = []
    seen: set[str] = set()
    for index, text in enumerate(entity.rules):
        path: Path = ("entities", name, "rules", index)
        try:
            rule = parse_rule(text)
        except ValueError as exc:
            yield source.problem(path, str(exc), expected=_FORM)
            continue
        problems = list(_check_rule(name, entity, rule, path, source))
        yield from problems
        if problems:
            continue
        if rule.text in seen:
            yield source.problem(path, f"rule '{rule.text}' is listed twice")
            continue
        seen.add(rule.text)
        parsed.append(rule)
    if len(parsed) != len(entity.rules):
        return  # contradictions are judged once every rule reads well
    rules = tuple(parsed)
    for index, rule in enumerate(rules):
        field = entity.fields[rule.left]
        if isinstance(rule.right, Decimal):
            low, high = field_bounds(field, rules, rule.left)
            if low > high:
                yield source.problem(
                    ("entities", name, "rules", index),
                    f"rules and bounds leave no value for '{rule.left}' ({low} > {high})",
                    suggestion="check the rules on it, and its min and max",
                )
                return
    yield from _check_defaults(name, entity, rules, source)
    if data_bounds(entity, rules) is None:
        yield source.problem(
            ("entities", name, "rules"),
            f"the rules of '{name}' cannot all hold at once: "
            + "; ".join(rule.text for rule in rules),
            suggestion="check the directions of the comparisons, and the fields' min and max",
        )


def _check_defaults(
    name: str, entity: EntitySpec, rules: tuple[RowRule, ...], source: SourceMap
) -> Iterator[Problem]:
    """A default the rules refuse would make every create that leaves it out fail."""
    for index, rule in enumerate(rules):
        left = entity.fields[rule.left].default
        if isinstance(rule.right, Decimal):
            low, high = field_bounds(entity.fields[rule.left], rules, rule.left)
            broken = left is not None and not low <= Decimal(str(left)) <= high
        else:
            right = entity.fields[rule.right].default
            broken = left is not None and right is not None and not _holds(rule, left, right)
        if broken:
            yield source.problem(
                ("entities", name, "rules", index),
                f"rule '{rule.text}' refuses the default of "
                + (
                    f"'{rule.left}' ({left})"
                    if isinstance(rule.right, Decimal)
                    else f"'{rule.left}' and '{rule.right}'"
                ),
                suggestion="give the field a default the rules keep, or none",
            )


COMPARE: dict[str, Callable[[Any, Any], bool]] = {  # each operator as a function
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _holds(rule: RowRule, left: object, right: object) -> bool:
    if isinstance(left, int | float | str | Decimal) and isinstance(
        right, int | float | str | Decimal
    ):
        try:
            return bool(COMPARE[rule.op](Decimal(str(left)), Decimal(str(right))))
        except ArithmeticError:
            pass
    return bool(COMPARE[rule.op](left, right))


def _check_rule(
    name: str, entity: EntitySpec, rule: RowRule, path: Path, source: SourceMap
) -> Iterator[Problem]:
    kinds: list[str] = []
    for side in rule.fields:
        field = entity.fields.get(side)
        if field is None:
            yield source.problem(
                path,
                f"rule '{rule.text}' names '{side}', which is not a field of '{name}'",
                expected="a number, date or datetime field of " + name,
                suggestion=did_you_mean(side, list(entity.fields)),
            )
            continue
        kind = _KINDS.get(field.type)
        if kind is None:
            yield source.problem(
                path,
                f"rule '{rule.text}' compares '{side}', a {field.type} field: rules compare "
                "integers, decimals, dates and datetimes",
            )
            continue
        kinds.append(kind)
    if len(kinds) != len(rule.fields):
        return
    if isinstance(rule.right, Decimal):
        if kinds[0] != "number":
            yield source.problem(
                path,
                f"rule '{rule.text}' compares a {kinds[0]} with a number: compare it with "
                "another field",
            )
    elif rule.left == rule.right:
        yield source.problem(path, f"rule '{rule.text}' compares '{rule.left}' with itself")
    elif kinds[0] != kinds[1]:
        yield source.problem(
            path,
            f"rule '{rule.text}' compares a {kinds[0]} with a {kinds[1]}: both sides are "
            "numbers, dates or datetimes alike",
        )


def _check_groups(name: str, entity: EntitySpec, source: SourceMap) -> Iterator[Problem]:
    linked = [k for k, v in entity.relations.items() if v.belongs_to]
    if entity.owner and "owner" not in entity.fields:
        linked.append("owner")  # the row's owner: one row per user in the group
    seen: list[frozenset[str]] = []
    for index, group in enumerate(entity.unique_together):
        path: Path = ("entities", name, "unique_together", index)
        known = True
        for position, member in enumerate(group):
            if member in entity.fields or member in linked:
                field = entity.fields.get(member)
                if field is not None and field.type == "json":
                    yield source.problem(
                        (*path, position),
                        f"'{member}' is a json field: a unique group compares whole values "
                        "the database cannot index",
                    )
                    known = False
                continue
            known = False
            yield source.problem(
                (*path, position),
                f"unique_together names '{member}', which is neither a field nor a "
                f"belongs_to relation of '{name}'"
                + ("" if entity.owner else " (nor 'owner': it has no owner)"),
                suggestion=did_you_mean(member, [*entity.fields, *linked]),
            )
        if not known:
            continue
        if len(set(group)) != len(group):
            yield source.problem(path, f"the group {list(group)} names a field twice")
        elif frozenset(group) in seen:
            yield source.problem(path, f"the group {list(group)} is listed twice")
        elif not any(_endless(entity.fields.get(m)) or m in linked for m in group):
            yield source.problem(
                path,
                f"the group {list(group)} has only enum and boolean fields: it allows a "
                "handful of rows in all",
                suggestion="add a field with more values, or a relation, to the group",
            )
        seen.append(frozenset(group))


def _endless(field: FieldSpec | None) -> bool:
    return field is not None and field.type in _ENDLESS


def rules_of(entity: EntitySpec) -> tuple[RowRule, ...]:
    """The entity's rules, parsed (the loader has checked them)."""
    return tuple(parse_rule(text) for text in entity.rules)
