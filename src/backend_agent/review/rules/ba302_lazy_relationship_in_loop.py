"""BA302 lazy-relationship-in-loop."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from backend_agent.review._facts import ProjectFacts
from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._orm import describe, uses_database
from backend_agent.review._registry import Pending, Rule, register

__all__ = ["LazyRelationshipInLoop"]

_MANAGER_CALLS = frozenset({"all", "count", "filter", "exclude", "exists", "first", "order_by"})


@dataclass(frozen=True)
class _Access:
    model: str | None
    attribute: str
    eager: frozenset[str]
    shape: str


@dataclass(frozen=True)
class _Serialized:
    """A DRF view whose serializer reads relations of every row of its queryset."""

    model: str
    serializer: str
    eager: frozenset[str]


@register
class LazyRelationshipInLoop(Rule):
    """Find lazy ORM relationships read for each row of a query result (N+1 queries).

    What it finds:
        A loop or comprehension over a SQLAlchemy or Django query whose body reads
        a relationship of the row (``post.author``, ``user.orders``,
        ``book.tags.all()``) when the relationship is lazy in the model - looked up
        across files in ``relationship(...)``/``ForeignKey``/``ManyToManyField``
        declarations - and the query did not load it with ``selectinload``,
        ``joinedload``, ``select_related`` or ``prefetch_related``. Also a DRF view
        whose ``serializer_class`` reads a lazy relation per row (a field with
        ``source="author.name"``, a nested serializer) while its ``queryset`` does
        not load it. Migrations are skipped: they run once, offline.

    Why it matters:
        Each access runs one more query: listing 50 posts with their authors is 51
        queries. Pages get slower as data grows and the pool drains under load.

    Example::

        posts = session.scalars(select(Post)).all()
        return [{"title": p.title, "author": p.author.name} for p in posts]

    Fix::

        posts = session.scalars(select(Post).options(selectinload(Post.author))).all()
        return [{"title": p.title, "author": p.author.name} for p in posts]
    """

    code = "BA302"
    name = "lazy-relationship-in-loop"
    category = "n_plus_one"
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    fix = (
        "Load the relationship with the query: selectinload/joinedload or "
        "select_related/prefetch_related."
    )

    def check(self, module: Module) -> Iterator[Pending]:
        if module.is_migration or not uses_database(module):
            return
        yield from self._serialized(module)
        for loop in module.loops:
            target = loop.target
            if not isinstance(target, ast.Name):
                continue
            query = describe(module, loop.iter, module.function_of(loop.iter))
            if query is None:
                continue
            seen: set[str] = set()
            for node in _body(module, loop):
                if not (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == target.id
                ):
                    continue
                attribute = node.attr
                if attribute in seen or attribute in query.eager or attribute.endswith("_id"):
                    continue
                seen.add(attribute)
                shape = _shape(module, node)
                finding = self.finding(
                    module,
                    node,
                    f"{target.id}.{attribute} loads a relationship once per row (N+1 queries)",
                )
                payload = _Access(query.model, attribute, query.eager, shape)
                yield self.pending(finding, payload)

    def _serialized(self, module: Module) -> Iterator[Pending]:
        if not module.imports_from("rest_framework"):
            return
        for cls in module.classes:
            values = {
                stmt.targets[0].id: stmt
                for stmt in cls.body
                if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
            }
            queryset, serializer = values.get("queryset"), values.get("serializer_class")
            if queryset is None or serializer is None or not isinstance(serializer.value, ast.Name):
                continue
            query = describe(module, queryset.value, None)
            if query is None or query.model is None:
                continue
            finding = self.finding(
                module,
                queryset,
                f"{serializer.value.id} reads a relation of each {query.model} row that the "
                "queryset does not load (N+1 queries)",
            )
            payload = _Serialized(query.model, serializer.value.id, query.eager)
            yield self.pending(finding, payload)

    def resolve(self, pending: Sequence[Pending], facts: ProjectFacts) -> Iterator[Finding]:
        for item in pending:
            if isinstance(item.payload, _Serialized):
                read = item.payload
                attributes = facts.serializer_relations.get(read.serializer, set()) - read.eager
                relations = [facts.relations.get((read.model, a)) for a in sorted(attributes)]
                if any(r is not None and not r.eager for r in relations):
                    yield item.finding
                continue
            access = item.payload
            if not isinstance(access, _Access):
                continue
            relation = facts.relations.get((access.model or "", access.attribute))
            if relation is not None:
                if not relation.eager:
                    yield item.finding
                continue
            known = facts.by_attribute.get(access.attribute, [])
            if access.model and any(r.model == access.model for r in facts.relations.values()):
                continue
            # A model defined outside the project: judge by how the attribute is used.
            if (known and not any(r.eager for r in known)) or (not known and access.shape):
                yield item.finding


def _shape(module: Module, node: ast.Attribute) -> str:
    """How ``row.attr`` is used: as a related manager, a collection, a reference, or plainly."""
    parent = module.parent(node)
    grand = module.parent(parent) if parent is not None else None
    if isinstance(parent, ast.Attribute) and isinstance(grand, ast.Call) and grand.func is parent:
        return "manager" if parent.attr in _MANAGER_CALLS else ""
    if isinstance(parent, ast.Attribute):
        if node.attr in _SCALAR_OWNERS or parent.attr in _SCALAR_PARTS:
            return ""
        return "reference"
    iterated = isinstance(parent, ast.For | ast.AsyncFor | ast.comprehension) and (
        parent.iter is node
    )
    counted = (
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Name)
        and parent.func.id in ("len", "list", "sorted", "sum", "any", "all", "set")
    )
    return "collection" if iterated or counted else ""


_SCALAR_OWNERS = frozenset(
    {"status", "state", "role", "type", "kind", "level", "priority", "gender", "currency",
     "visibility", "mode", "tier", "plan", "created", "updated", "created_at", "updated_at",
     "deleted_at", "date", "time", "timestamp", "birthday", "due_date", "expires_at"}
)  # fmt: skip
_SCALAR_PARTS = frozenset(
    {"value", "year", "month", "day", "hour", "minute", "second", "days", "seconds", "tzinfo",
     "real", "imag", "microsecond", "weekday"}
)  # fmt: skip


def _body(module: Module, loop: ast.For | ast.AsyncFor | ast.comprehension) -> Iterator[ast.AST]:
    if isinstance(loop, ast.For | ast.AsyncFor):
        for stmt in loop.body:
            yield from ast.walk(stmt)
        return
    owner = module.parent(loop)
    if isinstance(owner, ast.ListComp | ast.SetComp | ast.GeneratorExp):
        yield from ast.walk(owner.elt)
    elif isinstance(owner, ast.DictComp):
        yield from ast.walk(owner.key)
        yield from ast.walk(owner.value)
    for condition in loop.ifs:
        yield from ast.walk(condition)
