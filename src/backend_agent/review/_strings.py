"""Data flow of strings inside one function: is this value built at run time?

A value is CONST when every piece is a literal (or a name, attribute or helper
that only ever holds literals), BUILT when an f-string, ``%``, ``+``,
``.format`` or ``join`` mixes literal text with anything else, and OPAQUE when
nothing is known (a parameter, an attribute, a call). Local variables are
followed backwards within the function, and one call to a helper defined in the
same module is followed into its ``return`` statements. A parameter of a private
module-level function (``_name``) is followed to the calls in the module: when the
function is only ever called there, and every call passes a constant for it, the
parameter is constant too.
"""

from __future__ import annotations

import ast
import enum
import re
from dataclasses import dataclass
from functools import cached_property

from backend_agent.review._containers import stored_values
from backend_agent.review._module import Module
from backend_agent.review._scopes import Binding, Scopes
from backend_agent.review._syntax import FunctionNode, const_str

__all__ = ["Kind", "StringFlow", "Text"]

_SAFE_CALLS = frozenset(
    {
        "int", "float", "len", "bool", "abs", "round", "min", "max", "sum", "ord",
        "quote_ident", "quoted_name", "Identifier", "Literal", "escape_string",
        "escape_identifier", "quote_identifier", "uuid4", "UUID", "isoformat", "hex", "quote",
    }
)  # fmt: skip
_SAFE_ANNOTATIONS = frozenset({"int", "float", "bool", "UUID", "Decimal", "date", "datetime"})
_CONSTANT_NAME = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
_USER_ROOTS = frozenset({"request", "req"})


class Kind(enum.Enum):
    """What is known about a value."""

    CONST = "const"
    BUILT = "built"
    OPAQUE = "opaque"


@dataclass(frozen=True)
class Text:
    """The kind of a value and the literal text seen while building it."""

    kind: Kind
    fragments: tuple[str, ...] = ()


_OPAQUE = Text(Kind.OPAQUE)
_MAX_DEPTH = 24


def _join(kind: Kind, *parts: Text) -> Text:
    return Text(kind, tuple(f for p in parts for f in p.fragments))


class StringFlow:
    """Answers ``analyse(expr, scope)`` for one module, caching each function's bindings."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self._names: dict[tuple[ast.Name, bool], Text] = {}
        self._escape_cache: dict[str, bool] = {}

    # -- public ------------------------------------------------------------

    def analyse(self, expr: ast.expr, scope: FunctionNode | None) -> Text:
        """The kind of ``expr`` as evaluated inside ``scope`` (None for module level)."""
        return self._text(expr, scope, 0, helper=False)

    def is_safe_value(self, expr: ast.expr, scope: FunctionNode | None) -> bool:
        """Whether a value interpolated into a string cannot carry outside text."""
        return self._safe(expr, scope, 0, helper=False)

    # -- bindings ----------------------------------------------------------

    def bindings(self, scope: FunctionNode | None) -> dict[str, list[Binding]]:
        """Name -> its bindings in ``scope`` (see ``Scopes.bindings``)."""
        return self.module.memo(Scopes).bindings(scope)

    @cached_property
    def _class_constants(self) -> dict[str, set[str]]:
        constants: dict[str, set[str]] = {}
        for cls in self.module.classes:
            names = constants.setdefault(cls.name, set())
            for stmt in cls.body:
                value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
                if value is None or const_str(value) is None:
                    continue
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]  # type: ignore[attr-defined]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
        return constants

    # -- analysis ----------------------------------------------------------

    def _text(
        self, expr: ast.expr, scope: FunctionNode | None, depth: int, *, helper: bool
    ) -> Text:
        if depth > _MAX_DEPTH:
            return _OPAQUE
        if isinstance(expr, ast.Constant):
            text = const_str(expr)
            return Text(Kind.CONST, (text,) if text is not None else ())
        if isinstance(expr, ast.JoinedStr):
            fragments: list[str] = []
            built = False
            for value in expr.values:
                if isinstance(value, ast.Constant):
                    fragments.append(str(value.value))
                elif isinstance(value, ast.FormattedValue):
                    inner = self._text(value.value, scope, depth + 1, helper=helper)
                    fragments.extend(inner.fragments)
                    if not self._safe(value.value, scope, depth + 1, helper=helper):
                        built = True
            return Text(Kind.BUILT if built else Kind.CONST, tuple(fragments))
        if isinstance(expr, ast.BinOp):
            return self._binop(expr, scope, depth, helper=helper)
        if isinstance(expr, ast.IfExp):
            body = self._text(expr.body, scope, depth + 1, helper=helper)
            orelse = self._text(expr.orelse, scope, depth + 1, helper=helper)
            return _join(_worst(body.kind, orelse.kind), body, orelse)
        if isinstance(expr, ast.Name):
            return self._name(expr, scope, depth, helper=helper)
        if isinstance(expr, ast.Subscript | ast.Call):
            stored = stored_values(self.module, expr)
            if stored:  # an item of a dict literal: what that key (or any key) holds
                parts = [self._text(v, scope, depth + 1, helper=helper) for v in stored]
                return _join(_worst(*(p.kind for p in parts)), *parts)
        if isinstance(expr, ast.Call):
            return self._call(expr, scope, depth, helper=helper)
        if isinstance(expr, ast.Await):
            return self._text(expr.value, scope, depth + 1, helper=helper)
        if isinstance(expr, ast.Attribute) and self._constant_attribute(expr, scope):
            return Text(Kind.CONST)
        if isinstance(expr, ast.List | ast.Tuple | ast.Set):
            parts = [self._text(e, scope, depth + 1, helper=helper) for e in expr.elts]
            return Text(Kind.CONST if all(p.kind is Kind.CONST for p in parts) else Kind.OPAQUE)
        if isinstance(expr, ast.ListComp | ast.GeneratorExp | ast.SetComp):
            safe = self._safe_iterable(expr, scope, depth + 1, helper=helper)
            return Text(Kind.CONST) if safe else _OPAQUE
        return _OPAQUE

    def _binop(
        self, expr: ast.BinOp, scope: FunctionNode | None, depth: int, *, helper: bool
    ) -> Text:
        left = self._text(expr.left, scope, depth + 1, helper=helper)
        if isinstance(expr.op, ast.Mod) and left.kind is not Kind.OPAQUE:
            values = expr.right.elts if isinstance(expr.right, ast.Tuple) else [expr.right]
            if isinstance(expr.right, ast.Dict):
                values = [v for v in expr.right.values if v is not None]
            unsafe = any(not self._safe(v, scope, depth + 1, helper=helper) for v in values)
            return Text(
                Kind.BUILT if unsafe or left.kind is Kind.BUILT else Kind.CONST, left.fragments
            )
        right = self._text(expr.right, scope, depth + 1, helper=helper)
        if isinstance(expr.op, ast.Mult):
            return Text(Kind.CONST if Kind.CONST in (left.kind, right.kind) else Kind.OPAQUE)
        if not isinstance(expr.op, ast.Add):
            return _OPAQUE
        kinds = {left.kind, right.kind}
        if kinds == {Kind.CONST}:
            return _join(Kind.CONST, left, right)
        if Kind.BUILT in kinds or (Kind.CONST in kinds and _has_text(left, right)):
            return _join(Kind.BUILT, left, right)
        return _OPAQUE

    def _comprehension_iter(self, expr: ast.Name) -> ast.expr | None:
        current = self.module.parent(expr)
        while current is not None and not isinstance(current, ast.stmt):
            if isinstance(current, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
                for generator in current.generators:
                    targets = [n for n in ast.walk(generator.target) if isinstance(n, ast.Name)]
                    if any(t.id == expr.id for t in targets):
                        plain = isinstance(generator.target, ast.Name)
                        return generator.iter if plain else ast.Call(ast.Name("opaque"), [], [])
            current = self.module.parent(current)
        return None

    def _name(
        self, expr: ast.Name, scope: FunctionNode | None, depth: int, *, helper: bool
    ) -> Text:
        key = (expr, helper)
        known = self._names.get(key)
        if known is not None:
            return known
        self._names[key] = _OPAQUE  # breaks cycles such as ``q = q + "..."``
        result = self._resolve_name(expr, scope, depth, helper=helper)
        self._names[key] = result
        return result

    def _resolve_name(
        self, expr: ast.Name, scope: FunctionNode | None, depth: int, *, helper: bool
    ) -> Text:
        iterable = self._comprehension_iter(expr)
        if iterable is not None:
            safe = self._safe_iterable(iterable, scope, depth + 1, helper=helper)
            return Text(Kind.CONST) if safe else _OPAQUE
        bindings = self.bindings(scope).get(expr.id)
        if not bindings:
            if scope is not None:
                value = self.module.top_values.get(expr.id)
                if value is not None:
                    return self._text(value, None, depth + 1, helper=helper)
            return Text(Kind.CONST) if _CONSTANT_NAME.match(expr.id) else _OPAQUE
        results: list[Text] = []
        for line, how, value in bindings:
            if how in ("guard", "opaque"):
                continue
            if how == "param":
                results.append(self._param(expr.id, scope, depth, helper=helper))
            elif line > expr.lineno or (line == expr.lineno and _inside(self.module, expr, value)):
                continue
            elif how == "for":
                safe = self._safe_iterable(value, scope, depth + 1, helper=helper)
                results.append(Text(Kind.CONST) if safe else _OPAQUE)
            elif how == "+=":
                added = self._text(value, scope, depth + 1, helper=helper)
                safe = added.kind is Kind.CONST
                results.append(Text(Kind.CONST if safe else Kind.BUILT, added.fragments))
            else:
                text = self._text(value, scope, depth + 1, helper=helper)
                if text.kind is Kind.OPAQUE and self._safe_call(value, scope):
                    text = Text(Kind.CONST)
                results.append(text)
        if not results:
            return _OPAQUE
        return _join(_worst(*(r.kind for r in results)), *results)

    def _param(self, name: str, scope: FunctionNode | None, depth: int, *, helper: bool) -> Text:
        arguments = None if scope is None else self._arguments(scope, name)
        if not arguments:
            return _OPAQUE
        texts = [self._text(value, caller, depth + 1, helper=helper) for value, caller in arguments]
        if all(text.kind is Kind.CONST for text in texts):
            return _join(Kind.CONST, *texts)
        return _OPAQUE

    def _arguments(
        self, function: FunctionNode, name: str
    ) -> list[tuple[ast.expr, FunctionNode | None]] | None:
        """What every call of the private module-level ``function`` passes for its
        parameter ``name``, with the scope it is read in; ``None`` when a call cannot
        be read or the function is used other than by calling it."""
        if not function.name.startswith("_") or self._escapes(function.name):
            return None
        if self.module.top_functions.get(function.name) is not function:
            return None
        args = function.args
        positional = [a.arg for a in [*args.posonlyargs, *args.args]]
        defaults = dict(
            zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
        )
        defaults.update(
            (a.arg, d)
            for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
            if d is not None
        )
        found: list[tuple[ast.expr, FunctionNode | None]] = []
        for call in self.module.calls.get(function.name, []):
            if not isinstance(call.func, ast.Name):
                continue
            if any(isinstance(a, ast.Starred) for a in call.args) or any(
                k.arg is None for k in call.keywords
            ):
                return None
            passed = {positional[i]: a for i, a in enumerate(call.args) if i < len(positional)}
            passed.update((k.arg, k.value) for k in call.keywords if k.arg is not None)
            if name in passed:
                found.append((passed[name], self.module.function_of(call)))
            elif name in defaults:
                found.append((defaults[name], None))  # defaults are read at module level
            else:
                return None
        return found

    def _escapes(self, name: str) -> bool:
        """``name`` is read other than as the function of a call (a callback, an export).

        Read from the text, not the tree (a walk of the module per helper cost more
        than the rest of the analysis); a mention in a comment only makes the answer
        more careful.
        """
        known = self._escape_cache.get(name)
        if known is None:
            known = re.search(rf"\b{re.escape(name)}\b(?!\s*\()", self.module.source) is not None
            self._escape_cache[name] = known
        return known

    def _call(
        self, expr: ast.Call, scope: FunctionNode | None, depth: int, *, helper: bool
    ) -> Text:
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr == "format":
            receiver = self._text(func.value, scope, depth + 1, helper=helper)
            if receiver.kind is Kind.OPAQUE:
                return _OPAQUE
            values = [*expr.args, *(k.value for k in expr.keywords)]
            unsafe = any(not self._safe(v, scope, depth + 1, helper=helper) for v in values)
            return Text(Kind.BUILT if unsafe else receiver.kind, receiver.fragments)
        if isinstance(func, ast.Attribute) and func.attr == "join" and len(expr.args) == 1:
            separator = self._text(func.value, scope, depth + 1, helper=helper)
            if separator.kind is Kind.CONST:
                safe = self._safe_iterable(expr.args[0], scope, depth + 1, helper=helper)
                return Text(Kind.CONST if safe else Kind.BUILT, separator.fragments)
        if isinstance(func, ast.Attribute) and func.attr in ("strip", "lower", "upper", "rstrip"):
            return self._text(func.value, scope, depth + 1, helper=helper)
        target = self._helper(expr, scope)
        if target is not None and not helper:
            returns = [
                self._text(node.value, target, depth + 1, helper=True)
                for node in ast.walk(target)
                if isinstance(node, ast.Return) and node.value is not None
            ]
            if returns:
                return _join(_worst(*(r.kind for r in returns)), *returns)
        return _OPAQUE

    def _helper(self, call: ast.Call, scope: FunctionNode | None) -> FunctionNode | None:
        func = call.func
        if isinstance(func, ast.Name):
            return self.module.top_functions.get(func.id)
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
            and scope is not None
        ):
            owner = self.module.class_of(scope)
            if owner is not None:
                return self.module.method(owner, func.attr)
        return None

    def _safe_iterable(
        self, expr: ast.expr, scope: FunctionNode | None, depth: int, *, helper: bool
    ) -> bool:
        if isinstance(expr, ast.List | ast.Tuple | ast.Set):
            return all(self._safe(e, scope, depth, helper=helper) for e in expr.elts)
        if isinstance(expr, ast.GeneratorExp | ast.ListComp | ast.SetComp):
            if isinstance(expr.elt, ast.Constant):
                return True
            return self._safe(expr.elt, scope, depth + 1, helper=helper)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
            return True
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
            if expr.func.id == "range":
                return True
            if expr.func.id in ("sorted", "list", "tuple", "set", "reversed") and expr.args:
                return self._safe_iterable(expr.args[0], scope, depth + 1, helper=helper)
        text = self._text(expr, scope, depth + 1, helper=helper)
        return text.kind is Kind.CONST

    def _safe_call(self, expr: ast.expr, scope: FunctionNode | None) -> bool:
        if not isinstance(expr, ast.Call | ast.Subscript):
            return False
        return self._safe(expr, scope, _MAX_DEPTH - 1, helper=True)

    def _safe(
        self, expr: ast.expr, scope: FunctionNode | None, depth: int, *, helper: bool
    ) -> bool:
        if depth > _MAX_DEPTH:
            return False
        if isinstance(expr, ast.Call):
            func = expr.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _SAFE_CALLS:
                return True
            if name == "str" and expr.args:
                return self._safe(expr.args[0], scope, depth + 1, helper=helper)
            if name == "get" and isinstance(func, ast.Attribute):
                return self._constant_collection(func.value, scope)
        if isinstance(expr, ast.Subscript):
            return self._constant_collection(expr.value, scope)
        if isinstance(expr, ast.Name):
            bindings = self.bindings(scope).get(expr.id, [])
            if any(how == "guard" for _, how, _ in bindings):
                return True
            only_param = bool(bindings) and all(how == "param" for _, how, _ in bindings)
            if scope is not None and only_param and _typed_safe(scope, expr.id):
                return True
        if isinstance(expr, ast.Attribute) and self._constant_attribute(expr, scope):
            return True
        return self._text(expr, scope, depth + 1, helper=helper).kind is Kind.CONST

    def _constant_collection(self, expr: ast.expr, scope: FunctionNode | None) -> bool:
        if isinstance(expr, ast.Attribute):
            return self._constant_attribute(expr, scope)
        if not isinstance(expr, ast.Name):
            return False
        value = self.module.top_values.get(expr.id)
        if value is None and scope is not None:
            local = [v for _, how, v in self.bindings(scope).get(expr.id, []) if how == "="]
            value = local[0] if len(local) == 1 else None
        if isinstance(value, ast.Dict):
            return all(v is not None and self._text(v, None, 1, helper=True).kind is Kind.CONST
                       for v in value.values)  # fmt: skip
        return isinstance(value, ast.Set | ast.List | ast.Tuple) and all(
            isinstance(e, ast.Constant) for e in value.elts
        )

    def _constant_attribute(self, expr: ast.Attribute, scope: FunctionNode | None) -> bool:
        base = expr.value
        if isinstance(base, ast.Name) and base.id in _USER_ROOTS:
            return False
        if _CONSTANT_NAME.match(expr.attr):
            return True
        if isinstance(base, ast.Name) and base.id in ("self", "cls") and scope is not None:
            owner = self.module.class_of(scope)
            return owner is not None and expr.attr in self._class_constants.get(owner.name, set())
        if isinstance(base, ast.Name) and base.id in self._class_constants:
            return expr.attr in self._class_constants[base.id]
        return False


def _inside(module: Module, node: ast.AST, container: ast.AST) -> bool:
    current: ast.AST | None = node
    while current is not None and not isinstance(current, ast.stmt):
        if current is container:
            return True
        current = module.parent(current)
    return False


def _has_text(*parts: Text) -> bool:
    return any(p.kind is Kind.CONST and p.fragments for p in parts)


def _typed_safe(scope: FunctionNode, name: str) -> bool:
    """A parameter annotated with a type whose text cannot carry a shell word or quote."""
    args = scope.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        if arg.arg == name and arg.annotation is not None:
            annotation = arg.annotation
            head = annotation.attr if isinstance(annotation, ast.Attribute) else None
            head = head or (annotation.id if isinstance(annotation, ast.Name) else None)
            return head in _SAFE_ANNOTATIONS
    return False


def _worst(*kinds: Kind) -> Kind:
    if Kind.BUILT in kinds:
        return Kind.BUILT
    if Kind.OPAQUE in kinds:
        return Kind.OPAQUE
    return Kind.CONST
