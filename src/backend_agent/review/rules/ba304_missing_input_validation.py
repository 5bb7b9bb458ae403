"""BA304 missing-input-validation."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._strings import Kind, StringFlow
from backend_agent.review._syntax import FunctionNode, dotted
from backend_agent.review._web import Route, Web

__all__ = ["MissingInputValidation"]

_BODY_ATTRS = frozenset(
    {"json", "get_json", "form", "data", "POST", "body", "values", "get_data", "files", "FILES"}
)
_RAW_TYPES = frozenset({"dict", "Dict", "Any", "Json", "object", "Mapping", "MutableMapping"})
_VALIDATORS = frozenset(
    {"validate", "validate_json", "validate_on_submit", "is_valid", "load", "model_validate",
     "model_validate_json", "parse_obj", "parse_raw", "validate_python", "TypeAdapter",
     "full_clean", "validated_data", "cleaned_data", "Validator", "check_schema", "validator",
     "parse_as", "structure", "from_dict", "conform"}
)  # fmt: skip
_SCHEMA_CLASS = re.compile(
    r"(Schema|Create|Update|In|Input|Request|Payload|Model|DTO|Dto|Params|Form|Body|Serializer|"
    r"Command|Data)$"
)
_BAD_REQUEST = frozenset({400, 422})
_PIECES = frozenset(
    {"get", "getlist", "items", "values", "keys", "pop", "copy", "dict", "strip", "lower",
     "to_dict", "dict_"}
)  # fmt: skip
_NOT_MODELS = ("Response", "Exception", "Error", "Redirect", "Template", "Context")
_WRITES = frozenset({"POST", "PUT", "PATCH"})
_WRITE_SQL = re.compile(r"\b(insert|update|delete|replace|upsert|merge)\b", re.I)
_PERSIST = frozenset(
    {"save", "create", "bulk_create", "update", "insert", "insert_one",
     "insert_many", "update_one", "update_many", "merge", "update_or_create",
     "get_or_create", "setattr", "put_item", "hset"}
)  # fmt: skip


@register
class MissingInputValidation(Rule):
    """Find request bodies used without a schema or any validation.

    What it finds:
        FastAPI parameters typed ``dict``/``Any`` (or read with
        ``await request.json()``) instead of a pydantic model; Flask
        ``request.get_json()``/``request.json``/``request.form``, Django
        ``request.POST``/``json.loads(request.body)`` and DRF ``request.data`` read
        by a POST/PUT/PATCH handler that writes to storage and never validates
        them - no schema ``load``/``validate``, no pydantic model, no Django form
        or serializer ``is_valid()``, and no check that answers 400/422.

    Why it matters:
        Unvalidated fields reach the database and business logic with any type,
        size or extra key: crashes become 500s, ``is_admin`` slips into a model
        (mass assignment), and every later layer has to defend itself.

    Example::

        @app.post("/users")
        def create_user():
            data = request.get_json()
            user = User(email=data["email"], role=data.get("role"))

    Fix::

        class UserIn(BaseModel):
            email: EmailStr

        @app.post("/users")
        def create_user():
            payload = UserIn.model_validate(request.get_json())
            user = User(email=payload.email)
    """

    code = "BA304"
    name = "missing-input-validation"
    category = "missing_input_validation"
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    fix = "Parse the body with a schema (pydantic model, marshmallow, Django form/serializer)."

    def check(self, module: Module) -> Iterator[Finding]:
        web = module.memo(Web)
        for route in web.routes:
            for handler in route.handlers:
                if route.framework == "fastapi" and route.methods & _WRITES:
                    yield from self._raw_parameters(module, handler)
                sink = _persists(module, handler, route) if route.methods & _WRITES else None
                if sink is None or _validates(handler):
                    continue
                # Point at the raw read (request.json...), else at the write it reaches.
                yield self.finding(
                    module,
                    _first_body_access(handler, route) or sink,
                    f"{handler.name}() uses the request body without validating it",
                )

    def _raw_parameters(self, module: Module, handler: FunctionNode) -> Iterator[Finding]:
        args = handler.args
        for arg in [*args.args, *args.kwonlyargs]:
            annotation = arg.annotation
            if annotation is None:
                continue
            name = _raw_type(annotation)
            if name:
                yield self.finding(
                    module,
                    arg,
                    f"parameter {arg.arg!r} of {handler.name}() takes any {name}, not a model",
                )


def _raw_type(annotation: ast.expr) -> str | None:
    """``dict``/``Any`` inside an annotation (through Annotated, Optional, list, unions)."""
    if isinstance(annotation, ast.BinOp):
        return _raw_type(annotation.left) or _raw_type(annotation.right)
    if isinstance(annotation, ast.Subscript):
        head = (dotted(annotation.value) or "").rpartition(".")[2]
        if head in _RAW_TYPES:
            return head
        if head in ("Annotated", "Optional", "Union", "list", "List", "Sequence"):
            inner = annotation.slice
            parts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            if head == "Annotated":
                parts = parts[:1]
            for part in parts:
                found = _raw_type(part)
                if found:
                    return found
        return None
    name = (dotted(annotation) or "").rpartition(".")[2]
    return name if name in _RAW_TYPES else None


def _persists(module: Module, handler: FunctionNode, route: Route) -> ast.AST | None:
    """Where raw body data reaches a model, an ORM write or a bound SQL write."""
    body = _body_names(handler, route)
    flow = module.memo(StringFlow)

    def carries(node: ast.AST) -> bool:
        return _derived(node, body, route)

    for node in ast.walk(handler):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            arguments = [*node.args, *(k.value for k in node.keywords)]
            if name in ("execute", "executemany") and len(node.args) > 1:
                statement = flow.analyse(node.args[0], handler)
                written = _WRITE_SQL.search(" ".join(statement.fragments))
                if statement.kind is Kind.CONST and written and carries(node.args[1]):
                    return node
            if name in _PERSIST and any(map(carries, arguments)):
                return node
            # A model is built from keywords (``User(email=...)``, ``User(**data)``);
            # ``Path(x)`` or ``UUID(x)`` take positional values and are not models.
            model = name[:1].isupper() and not name.endswith(_NOT_MODELS)
            if model and any(carries(k.value) for k in node.keywords):
                return node
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute):
            owner = node.targets[0].value
            if not (isinstance(owner, ast.Name) and owner.id == "self") and carries(node.value):
                return node
    return None


def _body_names(handler: FunctionNode, route: Route) -> set[str]:
    names = {
        a.arg
        for a in [*handler.args.args, *handler.args.kwonlyargs]
        if a.annotation is not None and (dotted(a.annotation) or "").endswith("UploadFile")
    }
    steps: list[tuple[ast.expr, ast.expr]] = []
    for node in ast.walk(handler):
        if isinstance(node, ast.Assign):
            steps.extend((t, node.value) for t in node.targets)
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            steps.append((node.target, node.value))
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            steps.append((node.target, node.iter))
    for _ in range(2):
        for target, value in steps:
            if _derived(value, names, route):
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _derived(node: ast.AST, names: set[str], route: Route) -> bool:
    """Whether ``node`` is the raw body or a piece of it (a key, a field, a copy)."""
    if isinstance(node, ast.Name):
        return node.id in names
    if _is_body(node, route):
        return True
    if isinstance(node, ast.Attribute | ast.Subscript | ast.Await | ast.Starred):
        return _derived(node.value, names, route)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _PIECES:
            return _derived(func.value, names, route)
        if isinstance(func, ast.Attribute) and func.attr == "read":
            return _derived(func.value, names, route)  # an uploaded file's bytes
        name = dotted(func) or ""
        if name.rpartition(".")[2] in ("dict", "list", "loads", "str", "int", "float"):
            return any(_derived(a, names, route) for a in node.args)
        return isinstance(func, ast.Attribute) and _is_body(func, route)
    if isinstance(node, ast.Dict):
        return any(v is not None and _derived(v, names, route) for v in node.values)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return any(_derived(e, names, route) for e in node.elts)
    if isinstance(node, ast.JoinedStr | ast.BinOp | ast.BoolOp | ast.IfExp | ast.FormattedValue):
        return any(_derived(c, names, route) for c in ast.iter_child_nodes(node))
    return False


def _is_body(node: ast.AST, route: Route) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in _BODY_ATTRS
        and dotted(node.value) in ("request", "self.request", "req")
        and not (node.attr == "data" and route.framework == "flask")
    )


def _validates(handler: FunctionNode) -> bool:
    for node in ast.walk(handler):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _VALIDATORS or (name[:1].isupper() and _SCHEMA_CLASS.search(name)):
                return True
            if name in ("abort", "HTTPException", "HttpResponseBadRequest", "ValidationError"):
                return True
            codes = [k.value for k in node.keywords if k.arg in ("status", "status_code")]
            if any(isinstance(c, ast.Constant) and c.value in _BAD_REQUEST for c in codes):
                return True
            if any(
                "HTTP_400" in (dotted(c) or "") or "HTTP_422" in (dotted(c) or "") for c in codes
            ):
                return True
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            last = node.value.elts[-1] if node.value.elts else None
            if isinstance(last, ast.Constant) and last.value in _BAD_REQUEST:
                return True
        elif (
            isinstance(node, ast.Attribute)
            and node.attr
            in (
                "HTTP_400_BAD_REQUEST",
                "HTTP_422_UNPROCESSABLE_ENTITY",
            )
        ) or (isinstance(node, ast.Raise) and node.exc is not None):
            return True
    return False


def _first_body_access(handler: FunctionNode, route: Route) -> ast.AST | None:
    found: list[ast.Attribute] = []
    for node in ast.walk(handler):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in _BODY_ATTRS
            and dotted(node.value) in ("request", "self.request", "req")
        ):
            if node.attr == "data" and route.framework == "flask":
                continue
            found.append(node)
    if not found:
        return None
    return min(found, key=lambda n: (n.lineno, n.col_offset))
