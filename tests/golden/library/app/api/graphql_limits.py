"""The limits of a GraphQL operation, checked before it runs (a validation rule):
how deep it goes, how many fields it selects once its fragments are spread, and how
many rows its lists may hold, lists in lists multiplied. Each fragment is measured
once, so a fragment bomb costs its size, not two to the power of its nesting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
)

__all__ = ["Cost", "limits_rule"]

# Where counting stops: the fields of a fragment spread many times over can number in
# the billions, and only whether they pass the limit matters.
_COUNT_CAP = 1_000_000


@dataclass(frozen=True, slots=True)
class Cost:
    """What an operation (or a part of it) asks for: how deep it goes, how many fields
    it selects once its fragments are spread, and how many rows it may read (each list
    as long as its ``limit`` allows, lists in lists multiplied)."""

    depth: int = 0
    fields: int = 0
    rows: int = 0


class _Measure:
    """The cost of selections, each fragment measured once: a fragment spread twice by
    one spread twice... costs its size, not two to the power of its nesting."""

    def __init__(self, context: ValidationContext, page_size: int, max_page_size: int) -> None:
        self.context = context
        self.page_size = page_size
        self.max_page_size = max_page_size
        self.fragments: dict[str, Cost] = {}

    def selections(
        self, node: SelectionSetNode | None, parent: Any, visiting: frozenset[str] = frozenset()
    ) -> Cost:
        if node is None:
            return Cost()
        depth = fields = rows = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                definition = (
                    parent.fields.get(selection.name.value)
                    if isinstance(parent, GraphQLObjectType)
                    else None
                )
                kind = get_named_type(definition.type) if definition is not None else None
                inner = self.selections(selection.selection_set, kind, visiting)
                depth, fields = max(depth, 1 + inner.depth), fields + 1 + inner.fields
                if definition is not None and "limit" in definition.args:
                    rows += self._limit(selection) * (1 + inner.rows)
                else:
                    rows += inner.rows
            else:
                inner = self._fragment(selection, parent, visiting)
                depth, fields, rows = (
                    max(depth, inner.depth),
                    fields + inner.fields,
                    rows + inner.rows,
                )
            fields, rows = min(fields, _COUNT_CAP), min(rows, _COUNT_CAP)
        return Cost(depth, fields, rows)

    def _fragment(self, node: Any, parent: Any, visiting: frozenset[str]) -> Cost:
        schema = self.context.schema
        if isinstance(node, InlineFragmentNode):
            condition = node.type_condition
            kind = schema.get_type(condition.name.value) if condition is not None else parent
            return self.selections(node.selection_set, kind, visiting)
        if not isinstance(node, FragmentSpreadNode) or node.name.value in visiting:
            return Cost()
        name = node.name.value
        found = self.fragments.get(name)
        if found is None:
            fragment = self.context.get_fragment(name)
            found = Cost()
            if fragment is not None:
                kind = schema.get_type(fragment.type_condition.name.value)
                found = self.selections(fragment.selection_set, kind, visiting | {name})
            self.fragments[name] = found
        return found

    def _limit(self, node: FieldNode) -> int:
        """The rows a list field may hold: its ``limit``, the page size without one, the
        largest page when a variable sets it."""
        for argument in node.arguments or ():
            if argument.name.value == "limit":
                if isinstance(argument.value, IntValueNode):
                    return max(1, min(int(argument.value.value), self.max_page_size))
                return self.max_page_size
        return self.page_size


def limits_rule(
    *, max_depth: int, max_fields: int, max_rows: int, page_size: int, max_page_size: int
) -> type[ValidationRule]:
    """A validation rule refusing an operation deeper than ``max_depth``, selecting more
    than ``max_fields`` fields once its fragments are spread, or whose lists (lists of
    rows in lists of rows...) may hold more than ``max_rows`` rows in all."""

    class Limits(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            root = {
                OperationType.QUERY: schema.query_type,
                OperationType.MUTATION: schema.mutation_type,
                OperationType.SUBSCRIPTION: schema.subscription_type,
            }[node.operation]
            cost = _Measure(self.context, page_size, max_page_size).selections(
                node.selection_set, root
            )
            at_least = "at least " if max(cost.fields, cost.rows) >= _COUNT_CAP else ""
            if cost.depth > max_depth:
                message = (
                    f"The operation is {cost.depth} levels deep; at most {max_depth} are allowed."
                )
            elif cost.fields > max_fields:
                message = (
                    f"The operation selects {at_least}{cost.fields} fields; "
                    f"at most {max_fields} are allowed."
                )
            elif cost.rows > max_rows:
                message = (
                    f"The operation may read {at_least}{cost.rows} rows (each list as long "
                    f"as its limit allows); at most {max_rows} are allowed: ask for fewer."
                )
            else:
                return
            self.report_error(GraphQLError(message, node, extensions={"code": "QUERY_TOO_COMPLEX"}))

    return Limits
