"""BA303 missing-pagination."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from backend_agent.review._facts import ProjectFacts
from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._pagination import (
    PAGE_WORDS,
    flows_to_return,
    paginated,
    returned_names,
    unbounded_functions,
    unbounded_reads,
)
from backend_agent.review._registry import Pending, Rule, register
from backend_agent.review._syntax import FunctionNode, dotted
from backend_agent.review._web import Web

__all__ = ["MissingPagination"]

_DRF_VIEWS = frozenset({"ListAPIView", "ListCreateAPIView", "ModelViewSet", "ReadOnlyModelViewSet"})
_LIST_VIEWS = frozenset(
    {"ListAPIView", "ListCreateAPIView", "ModelViewSet", "ReadOnlyModelViewSet", "ListView"}
)


@register
class MissingPagination(Rule):
    """Find list endpoints that return every row of a table.

    What it finds:
        GET routes (FastAPI, Flask, Django, DRF ``APIView``) that return the result
        of an unbounded query - SQLAlchemy ``.all()``, Django ``objects.all()``/
        ``filter()``, ``cursor.fetchall()`` of SQL without ``LIMIT`` - when the
        handler takes no page/limit/offset/cursor input and never slices or
        paginates; and DRF list views with ``pagination_class = None``, or without
        one when the project's ``REST_FRAMEWORK`` settings set no
        ``DEFAULT_PAGINATION_CLASS``.

    Why it matters:
        The response grows with the table: one request for 1,000,000 rows ties up
        the database, the worker's memory and the network, and is an easy
        denial-of-service.

    Example::

        @router.get("/orders")
        def list_orders(session: SessionDep):
            return session.scalars(select(Order)).all()

    Fix::

        @router.get("/orders")
        def list_orders(session: SessionDep, offset: int = 0, limit: int = Query(50, le=100)):
            return session.scalars(select(Order).offset(offset).limit(limit)).all()
    """

    code = "BA303"
    name = "missing-pagination"
    category = "missing_pagination"
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    fix = "Take limit/offset (or a cursor) with an upper bound and apply it to the query."

    def check(self, module: Module) -> Iterator[Finding | Pending]:
        web = module.memo(Web)
        for route in web.routes:
            if "GET" not in route.methods:
                continue
            if isinstance(route.node, ast.ClassDef):
                view = self._list_view(module, route.node)
                if view is not None:
                    yield view
            for handler in route.handlers:
                if handler.name in ("get_queryset", "get_object", "perform_create"):
                    continue
                if route.framework == "drf" and handler.name not in ("get", "list"):
                    continue
                if paginated(handler):
                    continue
                yield from self._helper_calls(module, handler)
                for call in unbounded_reads(module, handler):
                    yield self.finding(
                        module, call, f"{handler.name}() returns every row, without a page limit"
                    )

    def _list_view(self, module: Module, cls: ast.ClassDef) -> Pending | None:
        bases = {(getattr(b, "attr", None) or getattr(b, "id", "")) for b in cls.bases}
        if not bases & _LIST_VIEWS:
            return None
        explicit_none = False
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in ("pagination_class", "paginate_by")
                for t in stmt.targets
            ):
                if not (isinstance(stmt.value, ast.Constant) and stmt.value.value is None):
                    return None
                explicit_none = True
        django_list = "ListView" in bases and not bases & _DRF_VIEWS
        attribute = "paginate_by" if django_list else "pagination_class"
        finding = self.finding(module, cls, f"list view {cls.name} has no {attribute}")
        # Django's ListView has no project-wide default; DRF's comes from the settings.
        return self.pending(finding, explicit_none or django_list)

    def _helper_calls(self, module: Module, handler: FunctionNode) -> Iterator[Finding | Pending]:
        """``return crud.list_items(db)``: a helper, here or imported, that reads every row."""
        local = unbounded_functions(module)
        returned = returned_names(handler)
        for node in ast.walk(handler):
            if not isinstance(node, ast.Call) or not flows_to_return(module, node, returned):
                continue
            name = dotted(node.func) or ""
            message = f"{handler.name}() returns every row from {name}(), without a page limit"
            if name in local and local[name] is not handler:
                yield self.finding(module, node, message)
            elif (
                name.partition(".")[0] in module.imports
                and not node.args[1:]
                and not any(PAGE_WORDS.match(k.arg or "") for k in node.keywords)
            ):
                qualified = module.qualname(node.func) or name
                yield self.pending(self.finding(module, node, message), qualified)

    def resolve(self, pending: Sequence[Pending], facts: ProjectFacts) -> Iterator[Finding]:
        for item in pending:
            if isinstance(item.payload, str):
                if facts.returns_every_row(item.payload):
                    yield item.finding
            elif item.payload is True or (facts.drf_settings and not facts.drf_pagination):
                # Without the project's REST_FRAMEWORK settings the default is unknown.
                yield item.finding
