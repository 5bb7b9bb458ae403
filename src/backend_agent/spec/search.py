"""Full-text search: which fields an entity's ``?q=`` searches.

``search: [title, body]`` indexes those fields together; a list with ``q`` keeps the
rows that hold every word of it, best matches first. Only fields that hold words are
searchable: strings, text, e-mail addresses, URLs and enums.
"""

from __future__ import annotations

from collections.abc import Iterator

from backend_agent.errors import Problem
from backend_agent.spec.checks import did_you_mean
from backend_agent.spec.model import EntitySpec, ServiceSpec
from backend_agent.spec.source import Path, SourceMap

__all__ = ["SEARCHABLE", "check_search"]

SEARCHABLE = frozenset({"string", "text", "email", "url", "enum"})
# Column names an FTS5 table refuses or takes for its own rowid (the index's columns are
# named as the table's, which it reads by rowid).
FTS5_RESERVED = frozenset({"rank", "rowid", "oid", "_rowid_"})


def check_search(spec: ServiceSpec, source: SourceMap) -> list[Problem]:
    """A problem for each searched field that is unknown, repeated or holds no words."""
    problems: list[Problem] = []
    for name, entity in spec.entities.items():
        if entity.search is not None:
            problems.extend(_check_fields(name, entity, source))
    return problems


def _check_fields(name: str, entity: EntitySpec, source: SourceMap) -> Iterator[Problem]:
    assert entity.search is not None
    base: Path = ("entities", name, "search")
    if (*base, "fields") in source.values:
        base = (*base, "fields")
    seen: set[str] = set()
    words = sorted(f for f, spec in entity.fields.items() if spec.type in SEARCHABLE)
    for index, field in enumerate(entity.search.fields):
        path = (*base, index)
        if field not in entity.fields:
            yield source.problem(
                path,
                f"search names '{field}', which is not a field of '{name}'",
                expected=f"one of {', '.join(words)}" if words else "",
                suggestion=did_you_mean(field, list(entity.fields)),
            )
        elif entity.fields[field].type not in SEARCHABLE:
            kind = entity.fields[field].type
            yield source.problem(
                path,
                f"search names '{field}', of type {kind}: only strings, text, e-mail "
                "addresses, URLs and enums hold words to search",
                expected=f"one of {', '.join(words)}" if words else "",
                suggestion=f"remove '{field}' from search",
            )
        elif field in FTS5_RESERVED:
            yield source.problem(
                path,
                f"search names '{field}', a name SQLite's full-text index keeps for itself "
                "(FTS5's columns are the table's own)",
                suggestion=f"rename the field, or remove '{field}' from search",
            )
        elif field in seen:
            yield source.problem(
                path,
                f"search names '{field}' twice",
                suggestion=f"remove the second '{field}'",
            )
        seen.add(field)
