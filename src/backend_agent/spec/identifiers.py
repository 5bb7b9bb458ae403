"""Database identifiers derived from the spec's names, held to PostgreSQL's 63 bytes.

PostgreSQL silently truncates a longer identifier, so two long index names can end
up as one and a migration refers to a name the database never kept; SQLite has no
limit, so the mistake would only show on the production database. The design stage
derives these names (tables, their keys, indexes, check constraints, foreign keys,
junction tables, row-count triggers); this module derives the same names from the
spec and refuses the spec, at the name that is too long, when one would not fit.
"""

from __future__ import annotations

from collections.abc import Iterator

from backend_agent.errors import Problem
from backend_agent.spec.model import EntitySpec, FieldSpec, ServiceSpec
from backend_agent.spec.naming import plural, snake
from backend_agent.spec.source import Path, SourceMap

__all__ = ["MAX_IDENTIFIER_BYTES", "check_identifiers"]

MAX_IDENTIFIER_BYTES = 63
# The longest name of a table's row-count triggers (and their PostgreSQL functions).
_TRIGGER_SUFFIX = "_count_truncate"


def check_identifiers(spec: ServiceSpec, source: SourceMap) -> list[Problem]:
    """A problem for each spec name whose derived database identifiers exceed 63 bytes."""
    tables = {name: e.plural or plural(snake(name)) for name, e in spec.entities.items()}
    problems: list[Problem] = []
    for name, entity in spec.entities.items():
        for path, identifier, advice in _identifiers(name, entity, tables):
            size = len(identifier.encode("utf-8"))
            if size > MAX_IDENTIFIER_BYTES:
                problems.append(
                    source.problem(
                        path,
                        f"the database identifier '{identifier}' derived from this name is "
                        f"{size} bytes, more than PostgreSQL's {MAX_IDENTIFIER_BYTES}",
                        suggestion=advice,
                        key=True,
                    )
                )
    # One name can make several identifiers too long: report it once, with the longest.
    chosen: dict[tuple[int, int], Problem] = {}
    for problem in problems:
        where = (problem.line, problem.column)
        if where not in chosen or len(problem.message) > len(chosen[where].message):
            chosen[where] = problem
    return list(chosen.values())


def _identifiers(
    name: str, entity: EntitySpec, tables: dict[str, str]
) -> Iterator[tuple[Path, str, str]]:
    base: Path = ("entities", name)
    table = tables[name]
    shorter = "choose a shorter entity name or set a shorter 'plural'"
    yield base, table, shorter
    yield base, f"pk_{table}", shorter
    if entity.permissions.list != "owner":
        yield base, f"{table}{_TRIGGER_SUFFIX}", shorter
    if entity.search is not None:
        # The longest name of the search index's tables and triggers (design/search.py).
        yield base, f"_search_{table}_docsize", shorter
    queried = {*entity.filters, *entity.sort}
    for column in ("created_at", "updated_at", "deleted_at"):
        yield base, f"ix_{table}_{column}", shorter
    if entity.owner:
        yield base, f"fk_{table}_owner_id", shorter
        yield base, f"ix_{table}_owner_id", shorter
    for field_name, field in entity.fields.items():
        path: Path = (*base, "fields", field_name)
        for identifier in _field_identifiers(table, field_name, field, queried):
            yield path, identifier, "choose a shorter field name (or a shorter table name)"
    for rel_name, relation in entity.relations.items():
        path = (*base, "relations", rel_name)
        advice = "choose a shorter relation name (or a shorter table name)"
        if relation.belongs_to:
            column = f"{rel_name}_id"
            yield path, column, advice
            yield path, f"fk_{table}_{column}", advice
            yield path, f"ix_{table}_{column}", advice
        elif relation.many_to_many and relation.many_to_many in tables:
            junction = f"{snake(name)}_{rel_name}"
            target = snake(relation.many_to_many)
            right = f"{target}_id" if relation.many_to_many != name else f"related_{target}_id"
            for identifier in (
                junction,
                f"pk_{junction}",
                f"fk_{junction}_{snake(name)}_id",
                f"fk_{junction}_{right}",
                f"ix_{junction}_{right}",
            ):
                yield path, identifier, advice


def _field_identifiers(table: str, name: str, field: FieldSpec, queried: set[str]) -> list[str]:
    names = [name]
    if field.unique:
        names.append(f"uq_{table}_{name}")
    elif field.index or name in queried:
        names.append(f"ix_{table}_{name}")
    if field.type == "enum":
        names.append(f"ck_{table}_{name}")
    if field.min is not None or field.max is not None:
        names.append(f"ck_{table}_{name}_range")
    return names
