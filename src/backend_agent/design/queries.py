"""The query parameters of a list: paging, sort, and one parameter per filter.

A filter's parameter is named after its field (``status``; ``price_min`` and
``price_max`` for the range of an ordered field), unless the list already uses that
name: ``page``, ``cursor``, ``limit`` and ``sort`` belong to the list itself (``cursor``
on every list, so that a switch of ``pagination`` never renames a filter; ``q`` to a list
with full-text search, whose matches the ``relevance`` sort puts best first), and a field may be
called ``price_min`` next to a ``price`` whose range wants the same name. Such a
parameter is spelled ``filter_<name>`` (``filter_limit``), so every field stays
filterable and no field ever replaces the page size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from backend_agent.design.blueprint import Entity

__all__ = [
    "CURSOR_DESCRIPTION",
    "CURSOR_PARAMETER",
    "LIST_PARAMETERS",
    "MAX_CURSOR_LENGTH",
    "MAX_SEARCH_LENGTH",
    "ORDERED",
    "RELEVANCE",
    "SEARCH_DESCRIPTION",
    "SEARCH_PARAMETER",
    "ListFilter",
    "list_filters",
]

# The parameters a list reads besides its filters (app/core/pagination.py, and the sort
# of each entity's query model): ``page`` or ``cursor`` by the entity's pagination.
LIST_PARAMETERS = ("page", "cursor", "limit", "sort")
CURSOR_PARAMETER = "cursor"
CURSOR_DESCRIPTION = (
    "Where the page starts: meta.next_cursor of the page before (or the Link header's "
    "next); none for the first page."
)
MAX_CURSOR_LENGTH = 1000
SEARCH_PARAMETER = "q"  # the words a list with full-text search looks for
RELEVANCE = "relevance"  # the sort of a search's best matches first
MAX_SEARCH_LENGTH = 200
# As the generated app/schemas/search.py describes it (a test keeps them equal).
SEARCH_DESCRIPTION = (
    "Full-text search: only rows holding every word of this, best matches first unless "
    "sort is given."
)
# Field types compared by range as well as by equality.
ORDERED = frozenset({"integer", "decimal", "date", "datetime"})
FALLBACK_PREFIX = "filter_"

Comparison = Literal["EQ", "GE", "LE"]


@dataclass(frozen=True)
class ListFilter:
    """One query parameter that filters a list."""

    param: str  # the query parameter: status, price_min, filter_limit
    field: str  # the column it compares
    op: Comparison

    @property
    def natural(self) -> str:
        """The name its field and comparison suggest: ``price``, ``price_min``."""
        return _natural(self.field, self.op)

    @property
    def description(self) -> str:
        """What the parameter does, as the API documents it."""
        word = {"EQ": "equals", "GE": "is at least", "LE": "is at most"}[self.op]
        text = f"Only rows whose {self.field} {word} this."
        if self.param != self.natural:
            text += f" (Not `{self.natural}`: the list has another parameter by that name.)"
        return text


def _natural(field: str, op: Comparison) -> str:
    return {"EQ": field, "GE": f"{field}_min", "LE": f"{field}_max"}[op]


def list_filters(entity: Entity) -> tuple[ListFilter, ...]:
    """Every filter parameter of ``entity``'s list, in a fixed order, each name unique
    and none of :data:`LIST_PARAMETERS`."""
    wanted: list[tuple[str, Comparison]] = []
    for name in entity.filters:
        wanted.append((name, "EQ"))
        if entity.field(name).column.type in ORDERED:
            wanted += [(name, "GE"), (name, "LE")]
    taken = set(LIST_PARAMETERS)
    if entity.table.search is not None:
        taken.add(SEARCH_PARAMETER)
    names: dict[tuple[str, Comparison], str] = {}
    # Equality filters keep their field's name first: a field called price_min is
    # filtered as price_min, and the range of price moves aside.
    for key in sorted(wanted, key=lambda item: item[1] != "EQ"):
        natural = _natural(*key)
        if natural not in taken:
            names[key] = natural
            taken.add(natural)
    for key in wanted:
        if key in names:
            continue
        candidate, n = FALLBACK_PREFIX + _natural(*key), 1
        while candidate in taken:
            n += 1
            candidate = f"{FALLBACK_PREFIX}{_natural(*key)}_{n}"
        names[key] = candidate
        taken.add(candidate)
    return tuple(ListFilter(names[key], key[0], key[1]) for key in wanted)
